using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Switchboard.Bench;

/// <summary>
/// The activities the bench ingests: the second leg of the inbound call to a device from the event
/// fixtures (tests/fixtures/events/inbound-call-to-device/3-2nd-leg-new.json), with uuids and
/// timestamps of its own for each, and the send time as an extra field of <c>data</c>
/// (<see cref="SentAtField"/>), which the hub passes through to every event unchanged.
/// </summary>
internal static class CallActivities
{
    /// <summary>The field of <c>data</c> carrying when the activity was sent, in <see cref="BenchClock"/> nanoseconds.</summary>
    public static readonly byte[] SentAtField = "\"bench_sent_at_ns\":"u8.ToArray();

    /// <summary>Room for one line or one event: the longest is under 1 KiB.</summary>
    public const int MaxLineBytes = 1536;

    /// <summary>
    /// Appends activity number <paramref name="index"/> of account <paramref name="voipId"/> as one
    /// NDJSON line, with an idempotency key unique to the run (real producers send one).
    /// </summary>
    public static void WriteLine(ArrayBufferWriter<byte> output, long voipId, long index, long call, long timestampNs, long sentAtNs, string run)
    {
        var span = output.GetSpan(MaxLineBytes);
        if (!Utf8.TryWrite(span, $$"""{"voip_id":{{voipId}},"data_type":"call","timestamp_ns":{{timestampNs}},"idempotency_key":"{{run}}-{{index}}","data":""", out var written))
        {
            throw new InvalidOperationException("An activity line outgrew its buffer.");
        }
        written += WriteData(span[written..], index, call, sentAtNs);
        span[written++] = (byte)'}';
        span[written++] = (byte)'\n';
        output.Advance(written);
    }

    /// <summary>An event as the hub would render it for one listener: the body of the raw HTTP baseline.</summary>
    public static byte[] Event(long voipId, long index, long sentAtNs)
    {
        var span = new byte[MaxLineBytes].AsSpan();
        if (!Utf8.TryWrite(span, $$"""{"uuid":"0199a0b0-0000-7000-8000-{{index:x12}}","version":"2.0.0","listener_id":1,"context":{"type":"account","id":{{voipId}},"voip_id":{{voipId}}},"timestamp":1593096563,"timestamp_ns":1593096563751035000,"tags":["call","new-call","not-first-leg","inbound","from-did","to-extension"],"data_type":"call","data_object_uuid":"{{CallUuid(index)}}","data":""", out var written))
        {
            throw new InvalidOperationException("An event outgrew its buffer.");
        }
        written += WriteData(span[written..], index, index, sentAtNs);
        span[written++] = (byte)'}';
        return span[..written].ToArray();
    }

    private static string CallUuid(long index) => $"b0000000-0000-4000-8000-{index:x12}";

    private static int WriteData(Span<byte> span, long index, long callIndex, long sentAtNs)
    {
        var call = CallUuid(callIndex);
        if (!Utf8.TryWrite(span, $$"""{"uuid":"{{call}}","direction":"inbound","event_leg":{"uuid":"b1000000-0000-4000-8000-{{index:x12}}","from":{"type":"did","id":"+15550000001"},"to":{"type":"device","id":555555,"line":1,"domain":"sip.phone.com","extension_id":7777777,"extension":500},"is_first":false,"state":"new","completion_status":null},"first_leg":{"uuid":"{{call}}","from":{"type":"did","id":"+15550000001"},"to":{"type":"did","id":"+15550000002"},"is_first":true,"state":null,"completion_status":null},"bench_sent_at_ns":{{sentAtNs}}}""", out var written))
        {
            throw new InvalidOperationException("An activity outgrew its buffer.");
        }
        return written;
    }

    /// <summary>The send time carried by an event body, or -1: a scan for one field, not a parse.</summary>
    public static long SentAtOf(ReadOnlySpan<byte> body)
    {
        var at = body.IndexOf(SentAtField);
        if (at < 0)
        {
            return -1;
        }
        long value = 0;
        var digits = 0;
        for (var i = at + SentAtField.Length; i < body.Length && body[i] is >= (byte)'0' and <= (byte)'9'; i++, digits++)
        {
            value = (value * 10) + (body[i] - '0');
        }
        return digits == 0 ? -1 : value;
    }

    /// <summary>For error messages: the start of a body as text.</summary>
    public static string Preview(ReadOnlySpan<byte> body) => Encoding.UTF8.GetString(body[..Math.Min(body.Length, 300)]);
}
