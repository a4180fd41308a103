using System.CommandLine;
using Switchboard.Events;
using Switchboard.Listen;

namespace Switchboard.Cli;

/// <summary><c>switchboard listen</c>: a local receiver that prints each event as it arrives, optionally registered with a hub.</summary>
internal static class ListenCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port")
        {
            Description = "Port on 127.0.0.1 to receive on; 0 picks a free one (the first line says which). Any path is accepted.",
            DefaultValueFactory = _ => ListenPlan.DefaultPort,
        };
        var secret = new Option<string?>("--secret") { Description = "Standard Webhooks secret (whsec_...): requests without a valid webhook-signature are answered 401 and shown as refused. With --hub one is made up when not given." };
        var hub = new Option<string?>("--hub") { Description = "URL of a running hub (e.g. http://127.0.0.1:8080) to register with: one express create makes a callback to this receiver, a listener and its subscriptions; Ctrl+C removes them. The hub must allow loopback callbacks (serve --Delivery:AllowPrivateNetworks=true)." };
        var token = new Option<string?>("--token") { Description = "With --hub: an account token (switchboard tokens create --account ID)." };
        var account = new Option<long?>("--account") { Description = "With --hub: the account (voip_id) to listen to, the one the token is for." };
        var tags = new Option<string[]>("--tags")
        {
            Description = "With --hub: one subscription, its tags joined by commas; an event must carry them all (call,inbound: inbound calls). Repeat for more subscriptions (--tags call --tags message). Default: every event of the account.",
        };
        var json = new Option<bool>("--json") { Description = "Print each event's JSON as received, one per line (for jq); everything else goes to stderr." };
        var ordered = new Option<bool>("--ordered") { Description = "With --hub: register an ordered listener, which gets each call's (or message's) events one at a time, in order (docs/delivery.md, Ordered listeners). Without it events may arrive out of order; listen marks those." };
        var command = new Command("listen", "Receive events on 127.0.0.1 and print one line each as it arrives: time, listener, a short summary (call 2nd leg → ext 500 connected) and the tags. "
            + "Example with a local hub: switchboard listen --hub http://127.0.0.1:8080 --token TOKEN --account 1000002")
        {
            port, secret, hub, token, account, tags, json, ordered,
        };
        command.Validators.Add(result =>
        {
            var hubUrl = result.GetValue(hub);
            if (result.GetValue(port) is < 0 or > 65535)
            {
                result.AddError("--port is 0 (any free port) or a port number up to 65535.");
            }
            if (result.GetValue(secret) is { } s && !WebhookSignature.IsValidSecret(s))
            {
                result.AddError("--secret is a Standard Webhooks secret: whsec_ followed by base64 (as the hub's callbacks use).");
            }
            if (hubUrl is null)
            {
                if (result.GetValue(token) is not null || result.GetValue(account) is not null || result.GetValue(tags) is { Length: > 0 } || result.GetValue(ordered))
                {
                    result.AddError("--token, --account, --tags and --ordered are for registering with a hub: give --hub URL too.");
                }
                return;
            }
            if (!Uri.TryCreate(hubUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                result.AddError($"--hub is the hub's URL, like http://127.0.0.1:8080 (got {hubUrl}).");
            }
            if (result.GetValue(token) is null || result.GetValue(account) is null)
            {
                result.AddError("--hub needs --token (an account token) and --account (its voip_id): the hub has no way to tell the account from the token.");
            }
            else if (result.GetValue(account) <= 0)
            {
                result.AddError("--account is a positive voip_id.");
            }
            foreach (var subscription in Subscriptions(result.GetValue(tags)))
            {
                if (subscription.Count == 0)
                {
                    result.AddError("--tags needs at least one tag: a subscription matches events carrying all of its tags.");
                }
                else if (subscription.FirstOrDefault(t => !Tags.IsKnown(t)) is { } unknown)
                {
                    result.AddError($"--tags: unknown tag {unknown}. Known tags: {string.Join(", ", Tags.All)}.");
                }
            }
        });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var subscriptions = Subscriptions(parseResult.GetValue(tags));
            var plan = new ListenPlan(
                parseResult.GetValue(port), parseResult.GetValue(secret),
                parseResult.GetValue(hub) is { } url ? new Uri(url) : null, parseResult.GetValue(token), parseResult.GetValue(account),
                subscriptions.Count > 0 ? subscriptions : ListenPlan.AllEvents, parseResult.GetValue(json), parseResult.GetValue(ordered));
            return await ListenRun.RunAsync(plan, parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    /// <summary>Each <c>--tags</c> is one subscription (AND); several are OR (tags.md, Matching).</summary>
    private static List<IReadOnlyList<string>> Subscriptions(string[]? values) =>
        [.. (values ?? []).Select(v => (IReadOnlyList<string>)[.. v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal)])];
}
