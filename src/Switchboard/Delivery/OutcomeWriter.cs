using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Switchboard.Hosting;
using Switchboard.Matching;
using Switchboard.Storage;

namespace Switchboard.Delivery;

/// <summary>
/// Records what delivery did: attempts, event statuses, callback health, deactivations. Outcomes
/// are written many to a transaction (one fsync for a whole batch); only after the commit is an
/// event let go from memory, so a crash before it means the event is delivered again, never lost.
/// </summary>
internal sealed partial class OutcomeWriter(
    HubDatabase database,
    OutboxQueue queue,
    ListenerIndex index,
    Deactivations deactivations,
    HubMetrics metrics,
    IOptions<DeliveryOptions> options,
    TimeProvider clock,
    ILogger<OutcomeWriter> logger) : BackgroundService
{
    private const int MaxBatch = 20_000;

    private readonly Channel<Outcome> _outcomes = Channel.CreateUnbounded<Outcome>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TimeSpan _deactivateAfter = Durations.TryParse(options.Value.DeactivateAfter, out var after) ? after : TimeSpan.FromHours(24);

    public void Post(Outcome outcome) => _outcomes.Writer.TryWrite(outcome);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Outcome>(MaxBatch);
        try
        {
            // A batch storage refused is tried again even when no new outcome arrives.
            while (batch.Count > 0 || await _outcomes.Reader.WaitToReadAsync(stoppingToken))
            {
                await WriteBatchAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: record what is known, so those events are not sent again after the restart.
            await WriteBatchAsync(batch, CancellationToken.None, retry: false);
        }
    }

    private async Task WriteBatchAsync(List<Outcome> batch, CancellationToken cancellationToken, bool retry = true)
    {
        try
        {
            List<(IndexedCallback Callback, string Reason)> disabled;
            // The turn first, then the batch: what arrives while ingest commits joins it.
            // Relaxed: an outcome lost to a power cut means its event is delivered again, which
            // at-least-once delivery allows; an fsync per batch held the write lock from ingest.
            await using (var turn = await database.WriterTurnAsync(durable: false, cancellationToken))
            {
                while (batch.Count < MaxBatch && _outcomes.Reader.TryRead(out var outcome))
                {
                    batch.Add(outcome);
                }
                if (batch.Count == 0)
                {
                    return;
                }
                disabled = await WriteAsync(turn.Db, batch, cancellationToken);
            }
            foreach (var outcome in batch)
            {
                metrics.Recorded(outcome);
                if (outcome.Status == EventStatus.Pending)
                {
                    queue.Later(outcome.Event.Id, outcome.NextAttemptAt);
                }
            }
            queue.Settled(batch.Count);
            batch.Clear();
            foreach (var (callback, reason) in disabled)
            {
                await deactivations.AnnounceAsync(callback, reason, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException && retry)
        {
            // Storage refused the batch: keep it and try again, the events stay pending meanwhile.
            LogWriteFailed(logger, e, batch.Count);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    private async Task<List<(IndexedCallback Callback, string Reason)>> WriteAsync(HubConnection db, List<Outcome> batch, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var disabled = new List<(IndexedCallback, string)>();
        var healthy = new HashSet<long>();
        await db.BeginAsync(cancellationToken);
        await using var insertAttempt = db.Command("""
            INSERT INTO attempts (event_id, at, callback_id, url, status_code, duration_ms, error)
            VALUES (@event_id, @at, @callback_id, @url, @status_code, @duration_ms, @error)
            """);
        await using var updateEvent = db.Command("""
            UPDATE events SET status = @status, attempts = @attempts, tries = @tries, callback_id = @callback_id,
                next_attempt_at = @next_attempt_at, last_attempt_at = COALESCE(@last_attempt_at, last_attempt_at), status_reason = @status_reason
            WHERE id = @id
            """);
        foreach (var outcome in batch)
        {
            var outboxEvent = outcome.Event;
            if (outcome.Attempt is { } attempt)
            {
                insertAttempt.Parameters.Clear();
                await insertAttempt.With("@event_id", outboxEvent.Id).With("@at", attempt.At).With("@callback_id", outcome.AttemptCallbackId)
                    .With("@url", attempt.Url).With("@status_code", attempt.StatusCode).With("@duration_ms", attempt.DurationMs)
                    .With("@error", attempt.Error).ExecuteNonQueryAsync(cancellationToken);
                if (attempt.Success)
                {
                    if (healthy.Add(outcome.AttemptCallbackId))
                    {
                        await CallbackHealth.SucceededAsync(db, outcome.AttemptCallbackId, now, cancellationToken);
                    }
                }
                else
                {
                    healthy.Remove(outcome.AttemptCallbackId);
                    await CallbackHealth.FailedAsync(db, outcome.AttemptCallbackId, now, cancellationToken);
                }
            }
            updateEvent.Parameters.Clear();
            await updateEvent.With("@status", outcome.Status).With("@attempts", outboxEvent.Attempts).With("@tries", outboxEvent.Tries)
                .With("@callback_id", outboxEvent.CallbackId).With("@next_attempt_at", outcome.NextAttemptAt)
                .With("@last_attempt_at", outcome.Attempt?.At).With("@status_reason", outcome.Note).With("@id", outboxEvent.Id).ExecuteNonQueryAsync(cancellationToken);

            if (index.Callback(outboxEvent.VoipId, outcome.AttemptCallbackId) is not { } callback)
            {
                continue;
            }
            string? disableReason = null;
            if (outcome.Attempt?.Gone == true)
            {
                disableReason = "the callback URL answered 410 Gone";
            }
            else if (outcome.Exhausted)
            {
                switch (await CallbackHealth.ExhaustedAsync(db, callback.Id, now, _deactivateAfter, options.Value.DeactivateAfterExhausted, cancellationToken))
                {
                    case HealthVerdict.Deactivate:
                        disableReason = $"every attempt has failed for {options.Value.DeactivateAfter} or more, and at least {options.Value.DeactivateAfterExhausted} events ran out of attempts";
                        break;
                    case HealthVerdict.Failing:
                        await CallbackHealth.NotifyAsync(db, callback.Row.VoipId, callback.Id, callback.Row.ProfileId, NotificationKind.Failing,
                            $"an event ran out of attempts; last error: {outcome.Attempt?.Error ?? outcome.Note}", now, cancellationToken);
                        break;
                }
            }
            if (disableReason is not null && await CallbackHealth.DisableAsync(db, callback.Id, cancellationToken))
            {
                await CallbackHealth.NotifyAsync(db, callback.Row.VoipId, callback.Id, callback.Row.ProfileId, NotificationKind.Deactivated, disableReason, now, cancellationToken);
                disabled.Add((callback, disableReason));
            }
        }
        await db.CommitAsync(cancellationToken);
        return disabled;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record {Count} delivery outcomes; retrying")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count);
}

/// <summary>The kinds of owner notification (delivery.md, Deactivation and profiles).</summary>
internal static class NotificationKind
{
    public const string Failing = "failing";
    public const string Deactivated = "deactivated";
}
