using System.Globalization;

namespace Switchboard.Hosting;

/// <summary>What one node tells the others (scaling.md; PostgreSQL NOTIFY): only a hint to act sooner, as every node also polls.</summary>
internal enum ClusterNoticeKind
{
    /// <summary>An account's configuration changed: reload it (<see cref="ClusterNotice.Id"/> is the account).</summary>
    Config,

    /// <summary>A callback's breaker opened: pause it until <see cref="ClusterNotice.Until"/>.</summary>
    Pause,

    /// <summary>A listener's e-mail recipient unsubscribed.</summary>
    Unsubscribe,
}

/// <summary>A notice as text, <c>kind id [until]</c>: the payload of a NOTIFY.</summary>
internal readonly record struct ClusterNotice(ClusterNoticeKind Kind, long Id, long Until = 0)
{
    public static string Config(long voipId) => new ClusterNotice(ClusterNoticeKind.Config, voipId).ToString();

    public static string Pause(long callbackId, long until) => new ClusterNotice(ClusterNoticeKind.Pause, callbackId, until).ToString();

    public static string Unsubscribe(long listenerId) => new ClusterNotice(ClusterNoticeKind.Unsubscribe, listenerId).ToString();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Kind.ToString().ToLowerInvariant()} {Id} {Until}");

    /// <summary>A notice read back; false for anything else (another version of the hub, a stray NOTIFY).</summary>
    public static bool TryParse(string text, out ClusterNotice notice)
    {
        notice = default;
        var parts = text.Split(' ');
        if (parts.Length != 3 || !Enum.TryParse<ClusterNoticeKind>(parts[0], ignoreCase: true, out var kind) || !Enum.IsDefined(kind)
            || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var id) || !long.TryParse(parts[2], CultureInfo.InvariantCulture, out var until))
        {
            return false;
        }
        notice = new ClusterNotice(kind, id, until);
        return true;
    }
}
