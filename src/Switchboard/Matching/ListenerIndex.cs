using System.Collections.Concurrent;
using Switchboard.Events;
using Switchboard.Storage;

namespace Switchboard.Matching;

/// <summary>
/// Every listener, subscription, filter, callback and schedule, in memory by account, so that
/// matching an activity looks only at its own account's listeners (tags.md, Performance).
/// Built from storage at start-up; an account is reloaded the moment the API changes anything
/// of it, before the change is acknowledged, so the next activity already sees it (api.md,
/// Listeners). Each account is an immutable snapshot replaced whole: readers never lock.
/// Where nodes share the database (scaling.md), each account's configuration version says
/// whether another node changed it since: <see cref="CatchUpAsync"/> before matching.
/// </summary>
internal sealed class ListenerIndex(HubDatabase database)
{
    private readonly ConcurrentDictionary<long, AccountListeners> _accounts = new();
    private readonly ConcurrentDictionary<long, long> _versions = new();
    private readonly SemaphoreSlim _reloading = new(1, 1);

    public int AccountCount => _accounts.Count;

    /// <summary>Loads every account (start-up).</summary>
    public Task LoadAllAsync(CancellationToken cancellationToken) => LoadAsync(null, cancellationToken);

    /// <summary>
    /// After a change to any of the account's resources, before it is acknowledged: counts its
    /// configuration version up, for the other nodes, and reloads it here.
    /// </summary>
    public async Task ChangedAsync(long voipId, CancellationToken cancellationToken)
    {
        await using (var db = await database.ConnectAsync(cancellationToken))
        {
            await AccountVersionTable.BumpAsync(db, voipId, cancellationToken);
            await database.NotifyAsync(db, Hosting.ClusterNotice.Config(voipId), cancellationToken);
        }
        await LoadAsync(voipId, cancellationToken);
    }

    /// <summary>
    /// scaling.md: before matching activities of these accounts, reloads those another node has
    /// changed since they were loaded here. One statement; nothing where no other node can write.
    /// </summary>
    public async Task CatchUpAsync(IReadOnlyCollection<long>? voipIds, CancellationToken cancellationToken)
    {
        if (!database.SharedByNodes || voipIds is { Count: 0 })
        {
            return;
        }
        List<(long VoipId, long Version)> versions;
        await using (var db = await database.ConnectAsync(cancellationToken))
        {
            versions = await AccountVersionTable.OfAsync(db, voipIds, cancellationToken);
        }
        foreach (var (voipId, version) in versions)
        {
            if (_versions.GetValueOrDefault(voipId) < version)
            {
                await LoadAsync(voipId, cancellationToken);
            }
        }
    }

    /// <summary>Puts an account built elsewhere in place (benchmarks build millions of listeners without a database).</summary>
    public void Replace(AccountListeners account) => _accounts[account.VoipId] = account;

    public IndexedCallback? Callback(long voipId, long callbackId) =>
        _accounts.TryGetValue(voipId, out var account) && account.Callbacks.TryGetValue(callbackId, out var callback) ? callback : null;

    public AccountListeners? Account(long voipId) => _accounts.GetValueOrDefault(voipId);

    /// <summary>
    /// delivery.md steps 1–4: the listeners of the activity's account and of the extensions it
    /// concerns that are not expired, have a deliverable callback, want its tags and pass their filters.
    /// </summary>
    public List<IndexedListener> Match(Activity activity, long nowSeconds)
    {
        var matched = new List<IndexedListener>();
        if (!_accounts.TryGetValue(activity.VoipId, out var account))
        {
            return matched;
        }
        List<string>? numbers = null;
        if (activity.DataType == DataType.ListenerCallback)
        {
            // tags.md: every listener of the account subscribed to it hears of a deactivation.
            foreach (var listeners in account.ByExtension.Values.Prepend(account.AccountLevel))
            {
                Keep(listeners, activity, nowSeconds, account, ref numbers, matched);
            }
            return matched;
        }
        Keep(account.AccountLevel, activity, nowSeconds, account, ref numbers, matched);
        if (account.ByExtension.Count > 0)
        {
            var extensions = new List<long>(4);
            ActivityFacts.ConcernedExtensions(activity.Model, activity.ExtensionIds, extensions);
            for (var i = 0; i < extensions.Count; i++)
            {
                // A producer may name an extension the data names too; Distinct() here cost half of what a match allocated.
                var extension = extensions[i];
                if (extensions.IndexOf(extension, 0, i) < 0 && account.ByExtension.TryGetValue(extension, out var listeners))
                {
                    Keep(listeners, activity, nowSeconds, account, ref numbers, matched);
                }
            }
        }
        return matched;
    }

    /// <summary><see cref="Match"/> as what the activity's events are frozen with.</summary>
    public IReadOnlyList<EventTarget> TargetsOf(Activity activity, long nowSeconds)
    {
        var matched = Match(activity, nowSeconds);
        return matched.Count == 0 ? [] : matched.ConvertAll(l => l.Target);
    }

    private static void Keep(IndexedListener[] listeners, Activity activity, long nowSeconds, AccountListeners account, ref List<string>? numbers, List<IndexedListener> matched)
    {
        foreach (var listener in listeners)
        {
            if ((listener.ExpiresAt is { } expires && expires <= nowSeconds) || !listener.Wants(activity.TagSet))
            {
                continue;
            }
            var passes = true;
            foreach (var filter in listener.Filters)
            {
                numbers ??= ActivityFacts.Numbers(activity.Model);
                if (!filter.Passes(numbers, activity.TimestampNs, account.Schedules))
                {
                    passes = false;
                    break;
                }
            }
            if (passes)
            {
                matched.Add(listener);
            }
        }
    }

    private async Task LoadAsync(long? voipId, CancellationToken cancellationToken)
    {
        // One load at a time, so an older snapshot never lands after a newer one.
        await _reloading.WaitAsync(cancellationToken);
        try
        {
            await using var db = await database.ConnectAsync(cancellationToken);
            // Versions first: rows read after them are at least as new, so a version never claims more than was loaded.
            var versions = await AccountVersionTable.OfAsync(db, voipId is { } one ? [one] : null, cancellationToken);
            var (listeners, subscriptions, filters, callbacks, schedules) = await AccountSnapshotTable.LoadAsync(db, voipId, cancellationToken);

            var tagsOf = subscriptions.ToLookup(s => s.ListenerId, s => TagSet.Of(s.Tags));
            var filtersOf = filters.ToLookup(f => f.ListenerId, IndexedFilter.From);
            var built = listeners.GroupBy(l => l.VoipId).ToDictionary(
                g => g.Key,
                g => AccountListeners.Build(
                    g.Key,
                    g.Select(l => new IndexedListener(l.Id, l.VoipId, l.ExtensionId, l.Version, l.CallbackId, l.ExpiresAt, [.. tagsOf[l.Id]], [.. filtersOf[l.Id]], l.Ordered)),
                    callbacks.Where(c => c.VoipId == g.Key).Select(IndexedCallback.From),
                    schedules.Where(s => s.VoipId == g.Key)));
            foreach (var group in callbacks.Select(c => c.VoipId).Concat(schedules.Select(s => s.VoipId)).Distinct().Where(v => !built.ContainsKey(v)))
            {
                // Callbacks without listeners still deliver events already in the outbox.
                built[group] = AccountListeners.Build(group, [], callbacks.Where(c => c.VoipId == group).Select(IndexedCallback.From), schedules.Where(s => s.VoipId == group));
            }
            if (voipId is { } only)
            {
                if (built.TryGetValue(only, out var account))
                {
                    _accounts[only] = account;
                }
                else
                {
                    _accounts.TryRemove(only, out _);
                }
            }
            else
            {
                _accounts.Clear();
                foreach (var (id, account) in built)
                {
                    _accounts[id] = account;
                }
            }
            // Only once the snapshot is in place: a version seen here means its rows are matched.
            foreach (var (id, version) in versions)
            {
                _versions[id] = version;
            }
        }
        finally
        {
            _reloading.Release();
        }
    }
}

/// <summary>One account's listeners (account level, and by extension), callbacks and schedules.</summary>
internal sealed record AccountListeners(
    long VoipId,
    IndexedListener[] AccountLevel,
    IReadOnlyDictionary<long, IndexedListener[]> ByExtension,
    IReadOnlyDictionary<long, IndexedCallback> Callbacks,
    IReadOnlyDictionary<long, Schedule> Schedules)
{
    /// <summary>
    /// Leaves out listeners without subscriptions (they receive nothing) and those whose callback
    /// is disabled with no enabled fallback (delivery.md, step 2).
    /// </summary>
    public static AccountListeners Build(long voipId, IEnumerable<IndexedListener> listeners, IEnumerable<IndexedCallback> callbacks, IEnumerable<Schedule> schedules)
    {
        var callbackById = callbacks.ToDictionary(c => c.Id);
        var live = listeners.Where(l => l.Subscriptions.Length > 0 && Deliverable(l.CallbackId, callbackById)).ToList();
        return new AccountListeners(
            voipId,
            [.. live.Where(l => l.ExtensionId is null)],
            live.Where(l => l.ExtensionId is not null).GroupBy(l => l.ExtensionId!.Value).ToDictionary(g => g.Key, g => g.ToArray()),
            callbackById,
            schedules.ToDictionary(s => s.Id));
    }

    /// <summary>The callback, or a fallback down its chain, is enabled.</summary>
    public static bool Deliverable(long callbackId, IReadOnlyDictionary<long, IndexedCallback> callbacks)
    {
        // The API refuses fallback loops; the bound only guards against a loop made in the database by hand.
        for (var (id, hops) = ((long?)callbackId, 0); id is { } current && hops < 32; hops++)
        {
            if (!callbacks.TryGetValue(current, out var callback))
            {
                return false;
            }
            if (callback.Enabled)
            {
                return true;
            }
            id = callback.FallbackId;
        }
        return false;
    }
}
