using System.Text.Json;

namespace Switchboard.Events;

/// <summary>
/// One field's value as the single pass met it: its JSON kind and what the checks and the model
/// need of it. An object is read whole before it is checked, so its checks run in the order of
/// events.md whatever the order of its fields; a nested object is checked as soon as it has been
/// read, and its errors wait in <see cref="Errors"/> until its parent checks the field.
/// </summary>
internal struct Field(JsonTokenType kind)
{
    /// <summary>The JSON kind; <see cref="JsonTokenType.None"/> when the field is absent.</summary>
    public JsonTokenType Kind = kind;

    /// <summary>A string's text; empty when <see cref="BadText"/>.</summary>
    public string? Text;

    public bool IsEmpty;

    /// <summary>The string is not valid Unicode: broken UTF-8 or an escaped lone surrogate.</summary>
    public bool BadText;

    /// <summary>A number's value, when <see cref="IsInteger"/>.</summary>
    public long Number;

    /// <summary>The number is an integer that fits 64 bits (no fraction, no exponent).</summary>
    public bool IsInteger;

    /// <summary>The value as an error message quotes it, set when the pass already knows a check fails.</summary>
    public string? Shown;

    private int _positionPlusOne;

    /// <summary>A string read against a closed set: its position in the set, or -1 (also when absent).</summary>
    public int Position
    {
        readonly get => _positionPlusOne - 1;
        set => _positionPlusOne = value + 1;
    }

    /// <summary>An object or array: what was built of it; null when it has errors.</summary>
    public object? Value;

    /// <summary>An object or array: the errors inside it, in the order of its checks.</summary>
    public List<ValidationError>? Errors;

    /// <summary>An array: how many items it has.</summary>
    public int Count;
}
