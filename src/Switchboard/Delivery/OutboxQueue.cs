using System.Data.Common;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Switchboard.Hosting;
using Switchboard.Storage;

namespace Switchboard.Delivery;

/// <summary>
/// Where the delivery worker's next event comes from. Storage is the truth; memory is the fast
/// path. Each pending event is in exactly one of three places:
/// <list type="bullet">
/// <item>fresh: just committed by ingest and handed over whole, while there is room;</item>
/// <item>waiting: an id with a due time (a retry, a fallback, a breaker pause), its body
/// reloaded from storage when due, so a long retry queue costs a few bytes per event;</item>
/// <item>backlog: committed but not handed over (memory was full, or the process restarted),
/// read back from storage in id order by a cursor.</item>
/// </list>
/// </summary>
internal sealed class OutboxQueue(HubDatabase database, TimeProvider clock, IOptions<DeliveryOptions> options)
{
    private const int PageSize = 500;

    // Events taken by the worker and not yet settled in storage; bounds the memory delivery uses.
    private readonly SemaphoreSlim _inMemory = new(options.Value.MaxEventsInMemory, options.Value.MaxEventsInMemory);

    // The same count for metrics: the semaphore also holds the slot NextAsync takes before it has an event.
    private int _taken;

    private readonly Channel<OutboxEvent> _fresh = Channel.CreateBounded<OutboxEvent>(new BoundedChannelOptions(10_000) { SingleReader = true });
    private readonly PriorityQueue<long, long> _waiting = new();
    private readonly Queue<OutboxEvent> _ready = new();
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);

    // Backlog: pending events with ids from _backlogCursor on are in storage only; _backlogEnd is
    // the highest id committed while it lasted, so it ends only once the cursor has passed it.
    private bool _backlog;
    private long _backlogCursor;
    private long _backlogEnd;

    /// <summary>Start-up: everything pending in storage is backlog.</summary>
    public void RecoverAll()
    {
        lock (_gate)
        {
            _backlog = true;
            _backlogCursor = 0;
            _backlogEnd = -1;
        }
        Wake();
    }

    /// <summary>Events ingest just committed; those that do not fit in memory stay in storage as backlog.</summary>
    public void Add(IReadOnlyList<OutboxEvent> committed)
    {
        if (committed.Count == 0)
        {
            return;
        }
        lock (_gate)
        {
            foreach (var outboxEvent in committed)
            {
                if (outboxEvent.Id < _backlogCursor)
                {
                    // Committed before a backlog page was read, and read with it already.
                    continue;
                }
                if (_backlog)
                {
                    _backlogEnd = Math.Max(_backlogEnd, outboxEvent.Id);
                }
                else if (!_fresh.Writer.TryWrite(outboxEvent))
                {
                    _backlog = true;
                    _backlogCursor = outboxEvent.Id;
                    _backlogEnd = outboxEvent.Id;
                }
            }
        }
    }

    /// <summary>Deliver this event again at <paramref name="dueAtMs"/> (UNIX ms); its body is read back then.</summary>
    public void Later(long eventId, long dueAtMs)
    {
        lock (_gate)
        {
            _waiting.Enqueue(eventId, dueAtMs);
        }
        Wake();
    }

    /// <summary>How many events wait for a later attempt (metrics).</summary>
    public int WaitingCount
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>Events taken by <see cref="NextAsync"/> and not yet <see cref="Settled"/> (metrics).</summary>
    public int InMemory => Volatile.Read(ref _taken);

    /// <summary>Events taken by <see cref="NextAsync"/> are settled in storage (or put back to wait): room for more.</summary>
    public void Settled(int count)
    {
        if (count > 0)
        {
            Interlocked.Add(ref _taken, -count);
            _inMemory.Release(count);
        }
    }

    /// <summary>
    /// The next event to deliver, waiting until there is one and until fewer than
    /// <c>Delivery:MaxEventsInMemory</c> are unsettled. One reader only.
    /// </summary>
    public async ValueTask<OutboxEvent> NextAsync(CancellationToken cancellationToken)
    {
        await _inMemory.WaitAsync(cancellationToken);
        while (true)
        {
            if (_ready.TryDequeue(out var ready) || _fresh.Reader.TryRead(out ready))
            {
                Interlocked.Increment(ref _taken);
                return ready;
            }
            if (await LoadDueAsync(cancellationToken) || await LoadBacklogAsync(cancellationToken))
            {
                continue;
            }
            var delay = TimeSpan.FromMilliseconds(Math.Clamp(NextDueInMs(), 1, 1000));
            var fresh = _fresh.Reader.WaitToReadAsync(cancellationToken).AsTask();
            await Task.WhenAny(fresh, _signal.WaitAsync(delay, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private void Wake()
    {
        if (_signal.CurrentCount == 0)
        {
            _signal.Release();
        }
    }

    private long NextDueInMs()
    {
        lock (_gate)
        {
            return _waiting.TryPeek(out _, out var due) ? due - clock.GetUtcNow().ToUnixTimeMilliseconds() : 1000;
        }
    }

    private async Task<bool> LoadDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var due = new List<long>();
        lock (_gate)
        {
            while (due.Count < PageSize && _waiting.TryPeek(out var id, out var at) && at <= now)
            {
                due.Add(_waiting.Dequeue());
            }
        }
        if (due.Count == 0)
        {
            return false;
        }
        var sql = new StringBuilder(Select).Append(" WHERE e.status = 'pending' AND e.id IN (");
        for (var i = 0; i < due.Count; i++)
        {
            sql.Append(i == 0 ? "@p0" : $", @p{i}");
        }
        await using var db = await database.ConnectAsync(cancellationToken);
        var command = db.Command(sql.Append(')').ToString());
        for (var i = 0; i < due.Count; i++)
        {
            command.With($"@p{i}", due[i]);
        }
        foreach (var (outboxEvent, _) in await HubConnection.ListAsync(command, Read, cancellationToken))
        {
            _ready.Enqueue(outboxEvent);
        }
        return true;
    }

    private async Task<bool> LoadBacklogAsync(CancellationToken cancellationToken)
    {
        long cursor;
        lock (_gate)
        {
            if (!_backlog)
            {
                return false;
            }
            cursor = _backlogCursor;
        }
        await using var db = await database.ConnectAsync(cancellationToken);
        var page = await HubConnection.ListAsync(
            db.Command($"{Select} WHERE e.status = 'pending' AND e.id >= @cursor ORDER BY e.id LIMIT {PageSize}").With("@cursor", cursor),
            Read, cancellationToken);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_gate)
        {
            foreach (var (outboxEvent, nextAttemptAt) in page)
            {
                if (nextAttemptAt > now)
                {
                    _waiting.Enqueue(outboxEvent.Id, nextAttemptAt);
                }
                else
                {
                    _ready.Enqueue(outboxEvent);
                }
            }
            if (page.Count > 0)
            {
                _backlogCursor = page[^1].Event.Id + 1;
            }
            if (page.Count < PageSize && _backlogEnd < _backlogCursor)
            {
                // Caught up: what ingest commits from now on is handed over in memory again.
                _backlog = false;
            }
        }
        return page.Count > 0;
    }

    private const string Select = """
        SELECT e.id, e.uuid, e.listener_id, e.extension_id, e.version, e.callback_id, e.tries, e.attempts, e.next_attempt_at,
               a.id, a.voip_id, a.data_type, a.data_object_uuid, a.timestamp_ns, a.tags, a.data
        FROM events e JOIN activities a ON a.id = e.activity_id
        """;

    private static (OutboxEvent Event, long NextAttemptAt) Read(DbDataReader reader)
    {
        var activity = new StoredActivity(
            reader.GetInt64(9), reader.GetInt64(10), reader.GetString(11), reader.GetString(12), reader.GetInt64(13),
            JsonSerializer.Deserialize(reader.GetString(14), StorageJsonContext.Default.StringArray)!, Encoding.UTF8.GetBytes(reader.GetString(15)));
        var outboxEvent = new OutboxEvent(reader.GetInt64(0), reader.GetString(1), activity, reader.GetInt64(2), reader.GetNullableInt64(3), reader.GetString(4), reader.GetInt64(5))
        {
            Tries = reader.GetInt32(6),
            Attempts = reader.GetInt32(7),
        };
        return (outboxEvent, reader.GetInt64(8));
    }
}
