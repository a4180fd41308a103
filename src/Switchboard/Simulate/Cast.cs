using System.Globalization;
using Switchboard.Events;

namespace Switchboard.Simulate;

/// <summary>A person of the simulated office: an extension with one desk phone and a direct number.</summary>
internal sealed record Staff(string Name, long ExtensionId, long Extension, long DeviceId, string DirectNumber)
{
    public Participant Device => new()
    {
        Type = ParticipantType.Device,
        Id = ParticipantId.Of(DeviceId),
        Line = 1,
        Domain = Cast.SipDomain,
        ExtensionId = ExtensionId,
        Extension = Extension,
    };

    public Participant AsExtension => new()
    {
        Type = ParticipantType.Extension,
        Id = ParticipantId.Of(ExtensionId),
        ExtensionId = ExtensionId,
        Extension = Extension,
    };

    public override string ToString() => $"ext {Extension} {Name}";
}

/// <summary>
/// Who takes part in the simulated activity: the account's office (extensions, desk phones,
/// numbers; the first extension is the one of the event fixtures) and the outside world. Phone
/// numbers are E.164 from ranges set aside for fiction (555-01xx in North America, 020 7946 0xxx
/// in London), so a simulated call never names a real subscriber.
/// </summary>
internal sealed class Cast(Random random, long voipId)
{
    public const string SipDomain = "sip.phone.com";

    /// <summary>The account's main number: calls to it ring the office, its inbox has no extension.</summary>
    public const string MainNumber = "+12125550100";

    /// <summary>The sales line, answered by a ring group.</summary>
    public const string SalesNumber = "+12125550142";

    public static readonly Staff[] Office =
    [
        new("Dana Whitfield", 7777777, 500, 555555, "+12125550161"),
        new("Priya Shah", 7777778, 501, 555556, "+12125550162"),
        new("Marcus Lee", 7777779, 502, 555557, "+12125550163"),
        new("Sofia Alvarez", 7777780, 503, 555558, "+12125550164"),
        new("Tom Becker", 7777781, 504, 555559, "+12125550165"),
        new("Aiko Tanaka", 7777782, 505, 555560, "+12125550166"),
        new("Samuel Okafor", 7777783, 506, 555561, "+12125550167"),
        new("Front desk", 7777784, 510, 555562, "+12125550168"),
    ];

    private static readonly string[] AreaCodes = ["212", "312", "415", "617", "206", "303", "512", "404", "702", "305", "604", "416"];

    private static readonly string[] Names =
    [
        "Alex Romero", "Jordan Blake", "Maria Costa", "Kevin Nguyen", "Hannah Fischer", "Omar Haddad", "Lucy Brennan",
        "Raj Patel", "Elena Petrova", "Chris Morgan", "Grace Kim", "Daniel Cohen", "Fatima Zahra", "Noah Jensen",
    ];

    public Random Random => random;

    /// <summary>The account the activities belong to.</summary>
    public long VoipId => voipId;

    /// <summary>A number outside the account: mostly North American, sometimes London.</summary>
    public string OutsideNumber() => random.Next(10) == 0
        ? "+442079460" + random.Next(1000).ToString("000", CultureInfo.InvariantCulture)
        : "+1" + Pick(AreaCodes) + "55501" + random.Next(100).ToString("00", CultureInfo.InvariantCulture);

    public string OutsideName() => Pick(Names);

    public Staff Colleague() => Pick(Office);

    /// <summary>Two different colleagues, for a ring group.</summary>
    public (Staff First, Staff Second) TwoColleagues()
    {
        var first = random.Next(Office.Length);
        var second = (first + 1 + random.Next(Office.Length - 1)) % Office.Length;
        return (Office[first], Office[second]);
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    public int Between(int min, int max) => random.Next(min, max + 1);

    /// <summary>An RFC 9562 version 4 UUID from the seeded source, so a <c>--seed</c> replays the same ids.</summary>
    public string Uuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString();
    }

    /// <summary>How a participant reads in a log line: the number, or the extension and its owner.</summary>
    public static string Who(Participant participant)
    {
        if (participant.Type == ParticipantType.Did)
        {
            return participant.Id.Text switch
            {
                MainNumber => $"{MainNumber} (main)",
                SalesNumber => $"{SalesNumber} (sales)",
                var number => Array.Find(Office, s => s.DirectNumber == number) is { } owner ? $"{number} ({owner.Name})" : number!,
            };
        }
        var staff = Array.Find(Office, s => s.ExtensionId == participant.ExtensionId);
        return staff is null ? $"{participant.Type.ToString().ToLowerInvariant()} {participant.Id}" : staff.ToString();
    }
}
