namespace Switchboard.Api;

/// <summary>
/// api.md, Errors: at most one api-error activity per account per second for each distinct
/// (status, route) — the route being the method with the endpoint's template, or with the path
/// when no endpoint matched — so a client looping on a bad request cannot flood its own listeners. An
/// account also gets at most <see cref="MaxPerAccountPerSecond"/> in a second, whatever the
/// routes: unknown paths are routes too, and a client inventing new ones would pass the first
/// rule. Memory is bounded: past <see cref="MaxEntries"/> live entries, reports are dropped
/// rather than remembered.
/// </summary>
internal sealed class ApiErrorLimiter(TimeProvider clock)
{
    public const int MaxPerAccountPerSecond = 20;
    public const int MaxEntries = 10_000;
    private const long WindowMs = 1000;

    private readonly Lock _lock = new();
    private readonly Dictionary<(long VoipId, int Status, string Method, string Route), long> _lastReported = [];
    private readonly Dictionary<long, (long Since, int Count)> _perAccount = [];
    private long _nextSweep;

    /// <summary>Whether this error may be reported now; counts it when it may.</summary>
    public bool TryAcquire(long voipId, int status, string method, string route)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var key = (voipId, status, method, route);
        lock (_lock)
        {
            if (_lastReported.TryGetValue(key, out var last) && now - last < WindowMs)
            {
                return false;
            }
            var (since, count) = _perAccount.GetValueOrDefault(voipId);
            if (now - since >= WindowMs)
            {
                (since, count) = (now, 0);
            }
            if (count >= MaxPerAccountPerSecond)
            {
                return false;
            }
            if ((_lastReported.Count >= MaxEntries || _perAccount.Count >= MaxEntries) && !Sweep(now))
            {
                return false;
            }
            _lastReported[key] = now;
            _perAccount[voipId] = (since, count + 1);
            return true;
        }
    }

    /// <summary>Forgets entries whose second is over; true when there is room again.</summary>
    private bool Sweep(long now)
    {
        // While full of live entries, sweep a few times a second rather than on every report.
        if (now < _nextSweep)
        {
            return false;
        }
        _nextSweep = now + (WindowMs / 10);
        foreach (var (key, last) in _lastReported)
        {
            if (now - last >= WindowMs)
            {
                _lastReported.Remove(key);
            }
        }
        foreach (var (voipId, (since, _)) in _perAccount)
        {
            if (now - since >= WindowMs)
            {
                _perAccount.Remove(voipId);
            }
        }
        return _lastReported.Count < MaxEntries && _perAccount.Count < MaxEntries;
    }

    /// <summary>Entries held (for tests of the bound).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _lastReported.Count;
            }
        }
    }
}
