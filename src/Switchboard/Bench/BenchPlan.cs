namespace Switchboard.Bench;

/// <summary>
/// What <c>switchboard bench</c> was asked to do. Each of <see cref="Accounts"/> accounts gets one
/// callback (the bench receiver) and <see cref="ListenersPerAccount"/> listeners on it subscribed
/// to <c>["call"]</c>; activities go to the accounts in turn, so every one is delivered
/// <see cref="ListenersPerAccount"/> times — but those of the last <see cref="DeadCallbacks"/>
/// accounts, whose callback is dead (<see cref="DeadCallback"/>).
/// </summary>
internal sealed record BenchPlan(
    int Activities,
    int Accounts,
    int ListenersPerAccount,
    double Rate,
    int Batch,
    int Senders,
    string? HubUrl,
    string? Token,
    string? DataDirectory,
    bool Json,
    int TimeoutSeconds,
    double BaselineSeconds,
    int RawConcurrency,
    IReadOnlyList<string> HubSettings,
    string? Postgres = null,
    int Nodes = 1,
    int CallSteps = 1,
    int CallsInFlight = 2_000,
    bool Ordered = false,
    int DeadCallbacks = 0)
{
    /// <summary>
    /// The call activity number <paramref name="index"/> is a step of: with one step per call each
    /// activity is a call of its own; with more, <see cref="CallsInFlight"/> calls advance a step
    /// each in turn, so many calls are in flight at once and each call's steps come in order.
    /// </summary>
    public long CallOf(long index)
    {
        if (CallSteps <= 1)
        {
            return index;
        }
        var block = (long)CallsInFlight * CallSteps;
        return (index / block * CallsInFlight) + (index % block % CallsInFlight);
    }

    /// <summary>Accounts whose callback answers: all but the last <see cref="DeadCallbacks"/>.</summary>
    public int LiveAccounts => Accounts - DeadCallbacks;

    /// <summary>Deliveries to the receiver: every listener of every activity of an account whose callback is alive.</summary>
    public long ExpectedDeliveries
    {
        get
        {
            if (DeadCallbacks == 0)
            {
                return (long)Activities * ListenersPerAccount;
            }
            long live = 0;
            for (long i = 0; i < Activities; i++)
            {
                if (CallOf(i) % Accounts < LiveAccounts)
                {
                    live++;
                }
            }
            return live * ListenersPerAccount;
        }
    }

    /// <summary>NDJSON lines per ingest request: as given, else 100 at full speed, and small batches when paced so each activity leaves close to its time.</summary>
    public int BatchSize => Batch > 0 ? Batch : Rate > 0 ? (int)Math.Clamp(Rate / 200, 1, 100) : 100;

    /// <summary>Ingest requests in flight at once at most: as given, else 4 at full speed (enough to fill a group commit) and 256 when paced (each batch leaves on time unless that many are unanswered).</summary>
    public int SenderCount => Senders > 0 ? Senders : Rate > 0 ? 256 : 4;

    public bool InProcess => HubUrl is null;
}
