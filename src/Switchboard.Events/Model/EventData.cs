using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Events;

/// <summary>
/// The <c>data</c> object of an event or activity. Each <see cref="Events.DataType"/> has its own record;
/// fields a producer added that this library does not know are kept in <see cref="Extra"/> and written back.
/// Members are settable and not C# <c>required</c>: the source-generated reader builds objects with
/// <c>init</c> or <c>required</c> members through a boxed argument list, which doubled the allocations
/// of reading a call event (bench/EventJsonBenchmarks); <see cref="EventJson"/> rejects incomplete
/// input before mapping it. When you build data in code, set every member the spec lists.
/// </summary>
public abstract record EventData
{
    /// <summary>The <c>data_type</c> this object belongs to.</summary>
    [JsonIgnore]
    public abstract DataType DataType { get; }

    /// <summary>Unknown fields, in the order they were read.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>Unknown fields of a nested object, kept and written back.</summary>
public abstract record JsonObjectWithExtra
{
    /// <summary>Unknown fields, in the order they were read.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
