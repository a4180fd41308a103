namespace Switchboard.Storage;

/// <summary>
/// Which rows a request may see, as a WHERE fragment with its parameters: an account's rows,
/// one extension's rows, or the rows of one listener.
/// </summary>
internal sealed record RowScope(string Where, IReadOnlyList<(string Name, object? Value)> Parameters)
{
    /// <summary>
    /// api.md: the account base sees every row of the account; an extension base only that
    /// extension's rows. Two SQL shapes rather than <c>@e IS NULL OR …</c>, so the index on
    /// (voip_id, extension_id, id) is used for both.
    /// </summary>
    public static RowScope Owner(long voipId, long? extensionId) => extensionId is null
        ? new("voip_id = @voip_id", [("@voip_id", voipId)])
        : new("voip_id = @voip_id AND extension_id = @extension_id", [("@voip_id", voipId), ("@extension_id", extensionId)]);

    public static RowScope Listener(long listenerId) => new("listener_id = @listener_id", [("@listener_id", listenerId)]);
}
