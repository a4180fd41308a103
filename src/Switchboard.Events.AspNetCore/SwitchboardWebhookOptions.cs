using Microsoft.Extensions.Options;

namespace Switchboard.Events.AspNetCore;

/// <summary>
/// How <c>MapSwitchboardWebhook</c> checks what it receives. Bound from the configuration section
/// <see cref="Section"/> by <c>AddSwitchboardWebhooks</c>, e.g. the environment variable
/// <c>Switchboard__Webhooks__Secrets__0=whsec_…</c>.
/// </summary>
public sealed class SwitchboardWebhookOptions
{
    /// <summary>The configuration section the options are read from.</summary>
    public const string Section = "Switchboard:Webhooks";

    /// <summary>
    /// The callback's signing secrets (<c>whsec_…</c>). A request is accepted when its signature
    /// matches any of them, so a secret can be rotated: add the new one, change the callback in
    /// the hub, then remove the old one. When empty, requests are not checked at all.
    /// </summary>
    public IList<string> Secrets { get; } = new List<string>();

    /// <summary>
    /// How far <c>webhook-timestamp</c> may be from this machine's clock before the request is
    /// refused as stale (a replay) or from the future; Standard Webhooks recommends 5 minutes.
    /// </summary>
    public TimeSpan Tolerance { get; set; } = WebhookSignature.DefaultTolerance;

    /// <summary>
    /// How long a handled event's <c>uuid</c> is remembered, so a second delivery of it is answered
    /// without calling the handler again. The default covers the hub's whole default retry schedule
    /// (about 11 hours); <see cref="TimeSpan.Zero"/> remembers nothing.
    /// </summary>
    public TimeSpan DuplicateWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// At most this many handled events are remembered per endpoint (about 200 bytes each); the
    /// oldest are forgotten first, even inside <see cref="DuplicateWindow"/>.
    /// </summary>
    public int MaxRememberedEvents { get; set; } = 100_000;

    /// <summary>Larger requests are refused with 413 before they are read. Events are a few KiB.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    internal SwitchboardWebhookOptions Copy()
    {
        var copy = new SwitchboardWebhookOptions
        {
            Tolerance = Tolerance,
            DuplicateWindow = DuplicateWindow,
            MaxRememberedEvents = MaxRememberedEvents,
            MaxBodyBytes = MaxBodyBytes,
        };
        foreach (var secret in Secrets)
        {
            copy.Secrets.Add(secret);
        }
        return copy;
    }
}

/// <summary>Refuses options the endpoint could not work with, naming the setting.</summary>
internal sealed class SwitchboardWebhookOptionsValidator : IValidateOptions<SwitchboardWebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, SwitchboardWebhookOptions options)
    {
        var problems = new List<string>();
        for (var i = 0; i < options.Secrets.Count; i++)
        {
            if (!WebhookSignature.IsValidSecret(options.Secrets[i]))
            {
                // Never the value itself: it may be a nearly right secret.
                problems.Add($"{SwitchboardWebhookOptions.Section}:Secrets:{i} is not a webhook secret (whsec_ followed by base64).");
            }
        }
        if (options.Tolerance <= TimeSpan.Zero)
        {
            problems.Add($"{SwitchboardWebhookOptions.Section}:Tolerance must be positive.");
        }
        if (options.DuplicateWindow < TimeSpan.Zero)
        {
            problems.Add($"{SwitchboardWebhookOptions.Section}:DuplicateWindow must not be negative.");
        }
        if (options.MaxRememberedEvents < 0)
        {
            problems.Add($"{SwitchboardWebhookOptions.Section}:MaxRememberedEvents must not be negative.");
        }
        if (options.MaxBodyBytes <= 0)
        {
            problems.Add($"{SwitchboardWebhookOptions.Section}:MaxBodyBytes must be positive.");
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
