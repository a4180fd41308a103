using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Switchboard.Events;

namespace Switchboard.Listen;

/// <summary>
/// The lines <c>switchboard listen</c> prints, one per request, whole lines only (requests are
/// answered concurrently). Events go to <c>output</c>: a summary line each, or with <c>--json</c>
/// the event's JSON as received, so that output can be piped to jq; everything else (verification
/// requests, refusals, what was registered) goes to <c>notes</c>, which is stderr with <c>--json</c>.
/// </summary>
internal sealed class EventPrinter(TextWriter output, TextWriter notes, bool json, TimeProvider clock)
{
    private static readonly JsonWriterOptions OneLine = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Lock _gate = new();

    // The latest timestamp_ns seen of each call or message, to mark an event that arrives after a later one of its object.
    private readonly Dictionary<string, long> _latest = [];
    private const int MaxObjectsTracked = 100_000;

    /// <summary><c>12:03:07.123  listener 12  call 2nd leg → ext 500 connected  [call,connected-call,…]</c>, or the raw JSON.</summary>
    public void Event(Event value, ReadOnlySpan<byte> body)
    {
        if (json)
        {
            Write(output, OnOneLine(body));
            return;
        }
        var tags = string.Join(',', value.Tags);
        var late = OutOfOrder(value) is { } after
            ? string.Create(CultureInfo.InvariantCulture, $"  (out of order: {(after - value.TimestampNs) / 1_000_000.0:0.###} ms older than an event of this {value.DataType.ToString().ToLowerInvariant()} already here)")
            : "";
        Write(output, string.Create(CultureInfo.InvariantCulture, $"listener {value.ListenerId}  {EventSummary.Describe(value)}  [{tags}]{late}"), timed: true);
    }

    /// <summary>The timestamp_ns of a later event of the same object that arrived before this one; null when it came in order.</summary>
    private long? OutOfOrder(Event value)
    {
        lock (_gate)
        {
            if (_latest.TryGetValue(value.DataObjectUuid, out var latest) && latest > value.TimestampNs)
            {
                return latest;
            }
            if (_latest.Count >= MaxObjectsTracked)
            {
                _latest.Clear();
            }
            _latest[value.DataObjectUuid] = value.TimestampNs;
            return null;
        }
    }

    /// <summary>api.md, Verification: the hub's <c>{"test": 1}</c> before it stores a callback.</summary>
    public void Verification(string? webhookId) =>
        Write(notes, $"verification request {{\"test\": 1}}{(webhookId is null ? "" : $" ({webhookId})")} answered 200", timed: true);

    /// <summary>A request that was not taken, with the status it got and why.</summary>
    public void Refused(int status, string method, string path, string why) =>
        Write(notes, string.Create(CultureInfo.InvariantCulture, $"! {method} {path} refused with {status}: {why}"), timed: true);

    /// <summary>A line about the receiver itself (listening, registered, removed).</summary>
    public void Note(string text) => Write(notes, text);

    /// <summary>The body as sent when it is one line already (the hub sends compact JSON), else the same JSON compacted.</summary>
    private static string OnOneLine(ReadOnlySpan<byte> body)
    {
        if (body.IndexOfAny((byte)'\n', (byte)'\r') < 0)
        {
            return Encoding.UTF8.GetString(body);
        }
        var reader = new Utf8JsonReader(body);
        using var document = JsonDocument.ParseValue(ref reader);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(body.Length);
        using (var writer = new Utf8JsonWriter(buffer, OneLine))
        {
            document.WriteTo(writer);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Timed lines take their time inside the lock, so the times printed go up line by line.</summary>
    private void Write(TextWriter writer, string line, bool timed = false)
    {
        lock (_gate)
        {
            writer.WriteLine(timed ? clock.GetLocalNow().ToString("HH:mm:ss.fff  ", CultureInfo.InvariantCulture) + line : line);
            writer.Flush();
        }
    }
}
