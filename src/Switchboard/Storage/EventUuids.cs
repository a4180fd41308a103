using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Switchboard.Storage;

/// <summary>
/// The uuid of an event, derived from its <see cref="EventKey"/> so that it needs no row of its
/// own and stays the same on every attempt and redelivery (receivers drop duplicates by it). An
/// RFC 9562 version 7 uuid (events.md): the activity's acknowledgement time in UNIX ms, so uuids
/// sort by time; in place of random bits, the activity id and slot passed through a keyed
/// permutation, so a tenant cannot read the hub's activity counter from its uuids, and 10 bits that
/// check the rest, so that a uuid made up by hand is mostly refused without a query.
/// </summary>
internal sealed class EventUuids
{
    private const int SlotBits = 16;

    /// <summary>An activity renders at most this many events: the slot's share of the uuid.</summary>
    public const int MaxTargets = 1 << SlotBits;

    private ulong[] _keys = [];

    /// <summary>Reads the hub's key (made on first use, the same on every node): before anything is delivered or looked up.</summary>
    public async Task LoadAsync(HubDatabase database, CancellationToken cancellationToken) =>
        UseKey(await HubSecrets.GetAsync(database, "event-uuid", 48, cancellationToken));

    /// <param name="secret">At least 48 bytes.</param>
    public void UseKey(ReadOnlySpan<byte> secret)
    {
        var keys = new ulong[6];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = BinaryPrimitives.ReadUInt64LittleEndian(secret.Slice(i * 8, 8));
        }
        _keys = keys;
    }

    public string Format(long createdAtMs, EventKey key)
    {
        Span<byte> bytes = stackalloc byte[16];
        var hidden = Permute(((ulong)key.ActivityId << SlotBits) | (uint)key.Slot, createdAtMs);
        var check = Mix(hidden ^ (ulong)createdAtMs ^ _keys[4]) & 0x3FF;
        BinaryPrimitives.WriteUInt64BigEndian(bytes, ((ulong)createdAtMs << 16) | 0x7000 | (hidden >> 52));
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], (0b10UL << 62) | ((hidden & 0xF_FFFF_FFFF_FFFF) << 10) | check);
        return new Guid(bytes, bigEndian: true).ToString();
    }

    /// <summary>The event a uuid names, or false when it is not one of this hub's event uuids.</summary>
    public bool TryRead(string uuid, out long createdAtMs, [NotNullWhen(true)] out EventKey? key)
    {
        (createdAtMs, key) = (0, null);
        if (!Guid.TryParseExact(uuid, "D", out var guid))
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[16];
        guid.TryWriteBytes(bytes, bigEndian: true, out _);
        var high = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        var low = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        if ((high & 0xF000) != 0x7000 || low >> 62 != 0b10)
        {
            return false;
        }
        var at = (long)(high >> 16);
        var hidden = ((high & 0xFFF) << 52) | ((low >> 10) & 0xF_FFFF_FFFF_FFFF);
        if ((Mix(hidden ^ (ulong)at ^ _keys[4]) & 0x3FF) != (low & 0x3FF))
        {
            return false;
        }
        var plain = Unpermute(hidden, at);
        (createdAtMs, key) = (at, new EventKey((long)(plain >> SlotBits), (int)(plain & (MaxTargets - 1))));
        return true;
    }

    // A four-round Feistel network over the 64 bits, keyed by the secret and the time: a
    // permutation, so every key has exactly one uuid and the uuid gives the key back.
    private ulong Permute(ulong value, long at)
    {
        var (left, right) = ((uint)(value >> 32), (uint)value);
        for (var round = 0; round < 4; round++)
        {
            (left, right) = (right, left ^ Round(right, round, at));
        }
        return ((ulong)left << 32) | right;
    }

    private ulong Unpermute(ulong value, long at)
    {
        var (left, right) = ((uint)(value >> 32), (uint)value);
        for (var round = 3; round >= 0; round--)
        {
            (left, right) = (right ^ Round(left, round, at), left);
        }
        return ((ulong)left << 32) | right;
    }

    private uint Round(uint half, int round, long at) => (uint)Mix(half ^ _keys[round] ^ ((ulong)at * 0x9E3779B97F4A7C15UL) ^ _keys[5]);

    // splitmix64's finaliser: every input bit moves every output bit.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
