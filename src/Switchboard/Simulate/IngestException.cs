namespace Switchboard.Simulate;

/// <summary>Why a batch was not taken by the hub.</summary>
internal enum IngestFailure
{
    /// <summary>Nothing answers at the hub's address.</summary>
    Unreachable,

    /// <summary>401 or 403: not an operator token.</summary>
    Unauthorized,

    /// <summary>422: an activity is invalid; <see cref="IngestException.Fields"/> says which.</summary>
    Invalid,

    /// <summary>The hub could not take it now (5xx, 429, a dropped connection): the same batch may be sent again.</summary>
    Transient,

    /// <summary>Any other answer.</summary>
    Refused,
}

/// <summary>A batch the hub did not take; the message is for the person running the command.</summary>
internal sealed class IngestException(IngestFailure failure, string message, IReadOnlyDictionary<string, string>? fields = null) : Exception(message)
{
    public IngestFailure Failure { get; } = failure;

    /// <summary>The hub's <c>@fields</c> of a 422, keyed <c>line N: path</c>.</summary>
    public IReadOnlyDictionary<string, string>? Fields { get; } = fields;
}
