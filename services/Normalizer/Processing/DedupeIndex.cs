namespace Streaming.Normalizer.Processing;

/// <summary>
/// The normalized event ids already written, per raw partition, within the dedupe window. Ids of the open
/// transaction are pending: they count for lookups in the same batch, and become permanent only when it commits.
/// </summary>
public sealed class DedupeIndex(TimeSpan window, TimeProvider time)
{
    private readonly Dictionary<int, Dictionary<string, long>> _committed = [];
    private readonly List<(int Partition, string Id, long Timestamp)> _pending = [];
    private readonly HashSet<(int, string)> _pendingSet = [];
    private long _nextPrune;

    public TimeSpan Window { get; } = window;

    /// <summary>Ids known for a partition (committed), for tests and metrics.</summary>
    public int Count(int partition) => _committed.TryGetValue(partition, out var ids) ? ids.Count : 0;

    public bool Contains(int partition, string id) =>
        _pendingSet.Contains((partition, id)) || (_committed.TryGetValue(partition, out var ids) && ids.ContainsKey(id));

    public void AddPending(int partition, string id)
    {
        _pending.Add((partition, id, time.GetUtcNow().ToUnixTimeMilliseconds()));
        _pendingSet.Add((partition, id));
    }

    public void Commit()
    {
        foreach (var (partition, id, timestamp) in _pending)
        {
            Ids(partition)[id] = timestamp;
        }

        ClearPending();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (now >= _nextPrune)
        {
            Prune(now - (long)Window.TotalMilliseconds);
            _nextPrune = now + 60_000;
        }
    }

    public void Abort() => ClearPending();

    /// <summary>Replaces a partition's ids with those read back from the output.</summary>
    public void Reset(int partition, IEnumerable<(string Id, long Timestamp)> ids)
    {
        var set = Ids(partition);
        set.Clear();
        foreach (var (id, timestamp) in ids)
        {
            set[id] = timestamp;
        }
    }

    public void Forget(int partition) => _committed.Remove(partition);

    private Dictionary<string, long> Ids(int partition)
    {
        if (!_committed.TryGetValue(partition, out var ids))
        {
            ids = new Dictionary<string, long>(StringComparer.Ordinal);
            _committed[partition] = ids;
        }

        return ids;
    }

    private void ClearPending()
    {
        _pending.Clear();
        _pendingSet.Clear();
    }

    private void Prune(long oldest)
    {
        foreach (var ids in _committed.Values)
        {
            foreach (var (id, timestamp) in ids)
            {
                if (timestamp < oldest)
                {
                    ids.Remove(id);
                }
            }
        }
    }
}
