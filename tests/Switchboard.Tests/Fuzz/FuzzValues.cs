using System.Globalization;
using System.Text.Json.Nodes;
using CsCheck;

namespace Switchboard.Tests;

/// <summary>CsCheck generators of the plain and the hostile values a fuzz run puts in paths, queries and bodies.</summary>
internal static class FuzzValues
{
    public static T Draw<T>(this Gen<T> gen, PCG pcg) => gen.Generate(pcg, null, out _);

    public static bool Chance(this PCG pcg, double probability) => pcg.Next(1_000_000) < probability * 1_000_000;

    public static T Pick<T>(this PCG pcg, IReadOnlyList<T> items) => items[(int)pcg.Next((uint)items.Count)];

    /// <summary>Pieces of text that have broken parsers, databases and pages before.</summary>
    private static readonly string[] OddText =
    [
        "\u0000", "\u200b", "\u202e", "\ufeff", "\u2028", "\u00a0", "😀", "👩‍👩‍👧", "e\u0301", "\uffff", "\ufffd", "𝕏", "ß", "İı", "ﷺ", "\t\r\n",
        "'\"\\", "<script>alert(1)</script>", "%00", "%s%n", "../../etc/passwd", "'; DROP TABLE callbacks;--", "${jndi:ldap://x}", "{{7*7}}", "\\u0000",
        "null", "true", "-0", "NaN", "1e999", " ", "",
    ];

    /// <summary>Any UTF-16 code unit that is not half of a surrogate pair (lone surrogates go in by raw mutations instead).</summary>
    private static readonly Gen<char> AnyChar = Gen.Frequency((6, (IGen<char>)Gen.Char['\u0000', '\ud7ff']), (1, Gen.Char['\ue000', '\uffff']));

    public static readonly Gen<string> Odd = Gen.Int[0, OddText.Length - 1].Array[1, 3].Select(picks => string.Concat(picks.Select(i => OddText[i])));

    /// <summary>Short text: mostly plain, sometimes odd.</summary>
    public static readonly Gen<string> Text = Gen.Frequency(
        (6, (IGen<string>)Gen.String[Gen.Char.AlphaNumeric, 1, 12]),
        (2, Gen.String[Gen.Char[' ', '~'], 0, 24]),
        (2, Odd),
        (1, Gen.String[AnyChar, 0, 12]));

    /// <summary>A long string: long names, a body over the 64 KiB limit.</summary>
    public static readonly Gen<string> Huge = Gen.OneOf(300, 5_000, 70_000).SelectMany(n => Gen.Char['a', 'z'].Select(c => new string(c, n)));

    public static readonly long[] EdgeIntegers = [0, -1, 1, int.MaxValue, (long)int.MaxValue + 1, int.MinValue, long.MaxValue, long.MinValue, 4102444800, 1_000_000_000_000];

    public static readonly Gen<long> Integer = Gen.Frequency(
        (4, (IGen<long>)Gen.Long[1, 1000]),
        (2, Gen.OneOf(EdgeIntegers)),
        (1, Gen.Long));

    /// <summary>Any JSON value, at most <paramref name="depth"/> deep.</summary>
    public static Gen<JsonNode?> Json(int depth)
    {
        var leaf = Gen.Frequency(
            (1, (IGen<JsonNode?>)Gen.Const((JsonNode?)null)),
            (1, Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b))),
            (2, Integer.Select(n => (JsonNode?)JsonValue.Create(n))),
            (1, Gen.Double[-1e6, 1e6].Select(d => (JsonNode?)JsonValue.Create(d))),
            (3, Text.Select(s => (JsonNode?)JsonValue.Create(s))));
        if (depth <= 0)
        {
            return leaf;
        }
        var inner = Json(depth - 1);
        return Gen.Frequency(
            (4, (IGen<JsonNode?>)leaf),
            (1, inner.Array[0, 3].Select(items => (JsonNode?)new JsonArray([.. items]))),
            (1, Gen.Select(Text, inner).Array[0, 3].Select(fields => (JsonNode?)Object(fields))));
    }

    /// <summary>A value of the wrong JSON kind for most fields.</summary>
    public static readonly Gen<JsonNode?> WrongKind = Gen.Frequency(
        (2, (IGen<JsonNode?>)Gen.Const((JsonNode?)null)),
        (1, Gen.Const(() => (JsonNode?)JsonValue.Create(true))),
        (1, Gen.Const(() => (JsonNode?)JsonValue.Create(false))),
        (2, Gen.OneOf(EdgeIntegers).Select(n => (JsonNode?)JsonValue.Create(n))),
        (1, Gen.OneOf(0.5, -1.5, 1e20, 1e-7).Select(d => (JsonNode?)JsonValue.Create(d))),
        (2, Text.Select(s => (JsonNode?)JsonValue.Create(s))),
        (1, Gen.Const(() => (JsonNode?)new JsonObject())),
        (1, Gen.Const(() => (JsonNode?)new JsonArray())),
        (1, Json(2)));

    /// <summary>Query and path values that are not what the parameter wants.</summary>
    public static readonly string[] HostileQuery =
    [
        "", "-1", "0", "1", "501", "abc", "1.5", "1e3", "%201", "+1", "0x10", "99999999999999999999", "2147483648", "-2147483649", "true", "null",
        "%00", "%FF", "%", "%zz", "%F0%9D%95%8F", "%E2%80%AE", "a%26b%3Dc", "%5B%5D",
    ];

    /// <summary>Path segments where an id goes: not ids, ids that overflow, encodings of separators and dots.</summary>
    public static readonly string[] HostileSegment =
    [
        "abc", "0", "-1", "-0", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "99999999999999999999", "1.0", "1e3", "0x1",
        "%31", "%2F", "%2f1", "%2e%2e", "%2e", "%00", "%FF", "%C0%AF", "%E2%80%8B", "%F0%9F%98%80", "%201", "1%20", "+1", "01", "%25", "1;x", "1,2",
        "null", "{id}", "~", "*", "%0A", "1%0D%0A",
    ];

    public static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static JsonObject Object(IEnumerable<(string Name, JsonNode? Value)> fields)
    {
        var result = new JsonObject();
        foreach (var (name, value) in fields)
        {
            result[name] = value;
        }
        return result;
    }
}
