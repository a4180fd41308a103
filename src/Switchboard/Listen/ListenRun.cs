using Microsoft.AspNetCore.Connections;
using Switchboard.Events;

namespace Switchboard.Listen;

/// <summary>
/// <c>switchboard listen</c> from start to Ctrl+C: start the receiver, register it with the hub if
/// asked, print what arrives, and on cancellation remove from the hub what was created.
/// </summary>
internal static class ListenRun
{
    /// <summary>How long removal from the hub may take before listen gives up and says what is left.</summary>
    private static readonly TimeSpan RemoveTimeout = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(ListenPlan plan, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var notes = plan.Json ? error : output;
        var printer = new EventPrinter(output, notes, plan.Json, TimeProvider.System);
        // With --hub the receiver always checks signatures: the hub is told the secret, so a generated one costs nothing.
        var secret = plan.Secret ?? (plan.Hub is null ? null : WebhookSignature.GenerateSecret());
        ListenReceiver receiver;
        try
        {
            receiver = await ListenReceiver.StartAsync(plan.Port, secret, printer, TimeProvider.System, cancellationToken);
        }
        catch (IOException e)
        {
            var why = e.InnerException is AddressInUseException
                ? $"port {plan.Port} on 127.0.0.1 is in use (by another program, or another switchboard listen)."
                : $"cannot listen on 127.0.0.1:{plan.Port}: {e.Message}";
            await error.WriteLineAsync($"switchboard listen: {why} Choose another port with --port, or --port 0 for any free one.");
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        await using (receiver)
        {
            // Ctrl+C and SIGTERM reach the receiver's host, whose console lifetime takes them and asks it
            // to stop; the command's own token is cancelled only by an in-process caller (Program.cs gives
            // the command line no ProcessTerminationTimeout, so it installs no signal handling).
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, receiver.Stopping);
            cancellationToken = stop.Token;
            HubRegistration? registration = null;
            if (plan.Hub is { } hub)
            {
                try
                {
                    registration = await HubRegistration.CreateAsync(hub, plan.Token!, plan.Account!.Value, receiver.Url + "hook", secret!, plan.Subscriptions, cancellationToken);
                }
                catch (ListenException e)
                {
                    await error.WriteLineAsync("switchboard listen: " + e.Message);
                    return 1;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return 0;
                }
            }
            // Said only once registered: a listen that the hub refused never claimed to be listening.
            printer.Note($"Listening on {receiver.Url} (any path). Ctrl+C to stop.");
            printer.Note(plan.Secret is not null
                ? "Signatures are checked with --secret: unsigned or badly signed requests are answered 401."
                : secret is not null
                    ? "Signatures are checked with a secret made for this run and given to the hub's callback."
                    : "Signatures are not checked (give --secret whsec_... to check them).");
            if (registration is not null)
            {
                var tags = string.Join(' ', plan.Subscriptions.Select(s => "[" + string.Join(',', s) + "]"));
                printer.Note($"Registered with {plan.Hub}: callback {registration.CallbackId} → {receiver.Url}hook, listener {registration.ListenerId}, subscriptions {tags}. Ctrl+C removes them.");
            }
            using (registration)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                }
                if (registration is null)
                {
                    return 0;
                }
                // Removed before the receiver stops, so events already on their way are still answered.
                try
                {
                    await registration.RemoveAsync(RemoveTimeout);
                }
                catch (ListenException e)
                {
                    await error.WriteLineAsync("switchboard listen: " + e.Message);
                    return 1;
                }
                printer.Note($"Removed listener {registration.ListenerId} and callback {registration.CallbackId} from {plan.Hub}.");
                return 0;
            }
        }
    }
}
