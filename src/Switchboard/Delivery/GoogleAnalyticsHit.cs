using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Switchboard.Storage;

namespace Switchboard.Delivery;

/// <summary>
/// The request the <c>google-analytics</c> application makes for one event (delivery.md):
/// a Measurement Protocol v1 hit for a <c>UA-…</c> tracking id, a GA4 Measurement Protocol event
/// for a <c>G-…</c> measurement id. The parameters are the defaults, then <c>static</c>, then
/// <c>dynamic</c>, each replacing an earlier value of the same key.
/// </summary>
internal static class GoogleAnalyticsHit
{
    /// <summary>GA4 names of the v1 parameters (the GA4 event's params, or its top-level fields).</summary>
    private static readonly Dictionary<string, string> Ga4Params = new(StringComparer.Ordinal)
    {
        ["ec"] = "event_category",
        ["el"] = "event_label",
        ["ev"] = "value",
        ["dl"] = "page_location",
        ["dh"] = "page_hostname",
        ["ni"] = "non_interaction",
        ["cd1"] = "cd1",
        ["cd2"] = "cd2",
        ["cd3"] = "cd3",
        ["cd4"] = "cd4",
        ["cd5"] = "cd5",
    };

    public static bool IsGa4(GoogleAnalyticsParameters parameters) => parameters.TrackingId.StartsWith("G-", StringComparison.Ordinal);

    /// <summary>
    /// The parameters of the hit in order: <c>v=1&amp;t=event&amp;tid=…&amp;cid=…</c>, the configured
    /// ones, and <c>ec</c> (the data type) and <c>ea</c> (the first tag after it) when not configured,
    /// as an event hit without them is dropped by Google Analytics.
    /// </summary>
    public static List<KeyValuePair<string, string>> Parameters(GoogleAnalyticsParameters parameters, StoredActivity activity)
    {
        var hit = new List<KeyValuePair<string, string>>
        {
            new("v", "1"),
            new("t", "event"),
            new("tid", parameters.TrackingId),
            new("cid", ClientId(activity.VoipId)),
        };
        foreach (var (key, value) in parameters.Static)
        {
            Set(hit, key, value);
        }
        if (parameters.Dynamic.Count > 0)
        {
            var facts = CallFacts.Of(activity);
            foreach (var (key, name) in parameters.Dynamic)
            {
                Set(hit, key, facts.Value(name));
            }
        }
        if (!hit.Exists(p => p.Key == "ec"))
        {
            hit.Add(new("ec", activity.DataType));
        }
        if (!hit.Exists(p => p.Key == "ea"))
        {
            hit.Add(new("ea", activity.Tags.FirstOrDefault(t => t != activity.DataType) ?? activity.DataType));
        }
        return hit;
    }

    /// <summary>
    /// The GA4 body: <c>client_id</c> (<c>cid</c>), <c>user_id</c> (<c>uid</c>), and one event
    /// named by <c>ea</c> (made a valid GA4 name) with the other parameters under their GA4 names.
    /// </summary>
    public static byte[] Ga4Body(List<KeyValuePair<string, string>> hit)
    {
        string Get(string key) => hit.FirstOrDefault(p => p.Key == key).Value ?? "";
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, Switchboard.Events.EventJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("client_id", Get("cid"));
            if (Get("uid") is { Length: > 0 } userId)
            {
                json.WriteString("user_id", userId);
            }
            json.WriteStartArray("events");
            json.WriteStartObject();
            json.WriteString("name", EventName(Get("ea")));
            json.WriteStartObject("params");
            foreach (var (key, value) in hit)
            {
                if (!Ga4Params.TryGetValue(key, out var name))
                {
                    continue;
                }
                if (key == "ev" && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    json.WriteNumber(name, number);
                }
                else
                {
                    json.WriteString(name, value);
                }
            }
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>GA4 event names: letters, digits and underscores, starting with a letter, at most 40 characters.</summary>
    public static string EventName(string action)
    {
        var name = new StringBuilder(action.Length);
        foreach (var c in action)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }
        if (name.Length == 0 || !char.IsAsciiLetter(name[0]))
        {
            name.Insert(0, "e_");
        }
        return name.Length > 40 ? name.ToString(0, 40) : name.ToString();
    }

    /// <summary>delivery.md: <c>cid</c> defaults to a stable hash of the account, written as a UUID.</summary>
    public static string ClientId(long voipId)
    {
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes("switchboard-account:" + voipId.ToString(CultureInfo.InvariantCulture)));
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }

    private static void Set(List<KeyValuePair<string, string>> hit, string key, string value)
    {
        var index = hit.FindIndex(p => p.Key == key);
        if (index >= 0)
        {
            hit[index] = new(key, value);
        }
        else
        {
            hit.Add(new(key, value));
        }
    }
}
