using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>
/// The base a request came through (api.md): an account, or one extension of it. A resource
/// is visible from its own extension's base and from its account's base.
/// </summary>
internal sealed record Owner(long VoipId, long? ExtensionId)
{
    private const string ItemKey = "switchboard.owner";

    public static Owner Of(HttpContext context) => (Owner)context.Items[ItemKey]!;

    public void AttachTo(HttpContext context) => context.Items[ItemKey] = this;

    /// <summary>True when a resource of (voipId, extensionId) may be seen from this base.</summary>
    public bool CanSee(long voipId, long? extensionId) =>
        voipId == VoipId && (ExtensionId is null || extensionId == ExtensionId);

    /// <summary>The rows a list from this base shows.</summary>
    public RowScope Rows => RowScope.Owner(VoipId, ExtensionId);
}
