namespace Switchboard.Events;

/// <summary>
/// One broken rule of an event or activity: the JSON path of the offending value and the rule,
/// e.g. <c>data.event_leg.state: "ringing" is not one of new, connecting, connected, completed</c>.
/// </summary>
public sealed record ValidationError(string Path, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>The outcome of reading JSON: the value, or every error found in it.</summary>
public sealed record ReadResult<T>(T? Value, IReadOnlyList<ValidationError> Errors)
    where T : class
{
    /// <summary>True when the input was valid and <see cref="Value"/> is set.</summary>
    public bool IsValid => Value is not null;

    internal static ReadResult<T> Invalid(IReadOnlyList<ValidationError> errors) => new(null, errors);

    internal static ReadResult<T> Valid(T value) => new(value, []);
}
