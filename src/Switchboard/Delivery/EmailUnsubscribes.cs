using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Switchboard.Storage;

namespace Switchboard.Delivery;

/// <summary>
/// The unsubscribe links of e-mail (delivery.md, EMAIL callbacks): a token of 32 hex characters,
/// an HMAC-SHA256 of the listener id under a key the hub keeps in storage, and the listeners whose
/// recipient used it. The set is held in memory so that delivery asks it without a query.
/// </summary>
internal sealed class EmailUnsubscribes(HubDatabase database, TimeProvider clock)
{
    private const string SecretName = "unsubscribe";

    private readonly ConcurrentDictionary<long, byte> _listeners = new();
    private readonly SemaphoreSlim _loading = new(1, 1);
    private byte[]? _key;

    // Where nodes share the database: the newest unsubscribe read so far (UNIX ms, another node's clock).
    private long _newestRead;

    // Reads from this far before the newest one read again, for one committed late by a slow transaction.
    private const long RereadMs = 60_000;

    public bool Contains(long listenerId) => _listeners.ContainsKey(listenerId);

    /// <summary>Reads the key (made on first use) and the unsubscribed listeners.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await KeyAsync(cancellationToken);
        await using var db = await database.ConnectAsync(cancellationToken);
        var listeners = await EmailUnsubscribeTable.ListenersAsync(db, cancellationToken);
        foreach (var listenerId in listeners)
        {
            // Added to, never replaced: an unsubscribe that lands while this reads is not lost.
            _listeners.TryAdd(listenerId, 0);
        }
    }

    /// <summary>scaling.md: catches up with the unsubscribes other nodes recorded since the newest one read.</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        await using var db = await database.ConnectAsync(cancellationToken);
        foreach (var (listenerId, at) in await EmailUnsubscribeTable.SinceAsync(db, _newestRead - RereadMs, cancellationToken))
        {
            _listeners.TryAdd(listenerId, 0);
            _newestRead = Math.Max(_newestRead, at);
        }
    }

    /// <summary>Another node told of an unsubscribe it recorded.</summary>
    public void Heard(long listenerId) => _listeners.TryAdd(listenerId, 0);

    public async Task<string> TokenAsync(long listenerId, CancellationToken cancellationToken)
    {
        var mac = HMACSHA256.HashData(await KeyAsync(cancellationToken), Encoding.ASCII.GetBytes(listenerId.ToString(CultureInfo.InvariantCulture)));
        return Convert.ToHexStringLower(mac.AsSpan(0, 16));
    }

    /// <summary>Stops e-mail to the listener when the token is its own; false for a wrong token.</summary>
    public async Task<bool> UnsubscribeAsync(long listenerId, string token, CancellationToken cancellationToken)
    {
        var expected = Encoding.ASCII.GetBytes(await TokenAsync(listenerId, cancellationToken));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(token.ToLowerInvariant())))
        {
            return false;
        }
        await using var db = await database.ConnectAsync(cancellationToken);
        await EmailUnsubscribeTable.InsertAsync(db, listenerId, clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        _listeners.TryAdd(listenerId, 0);
        await database.NotifyAsync(db, Hosting.ClusterNotice.Unsubscribe(listenerId), cancellationToken);
        return true;
    }

    private async ValueTask<byte[]> KeyAsync(CancellationToken cancellationToken)
    {
        if (_key is { } key)
        {
            return key;
        }
        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_key is null)
            {
                _key = await HubSecrets.GetAsync(database, SecretName, 32, cancellationToken);
            }
            return _key;
        }
        finally
        {
            _loading.Release();
        }
    }
}
