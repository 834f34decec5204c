using System.Collections.Concurrent;
using streaming.documents.status.v1;

namespace Streaming.Samples.StatusSubscriber;

/// <summary>
/// A subscriber's local copy of documents.status.v1: per document token, the snapshot with the highest version.
/// Snapshots are delivered at least once and a re-delivered one may arrive after a newer one, so an older or equal
/// version is ignored; a tombstone (null value) removes the token.
/// </summary>
public sealed class StatusTable
{
    private readonly ConcurrentDictionary<string, DocumentStatus> _rows = new(StringComparer.Ordinal);

    public int Count => _rows.Count;

    /// <summary>Applies one record of the topic; true when the table changed.</summary>
    public bool Apply(string token, DocumentStatus? snapshot)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (snapshot is null)
        {
            return _rows.TryRemove(token, out _);
        }

        while (true)
        {
            if (!_rows.TryGetValue(token, out var current))
            {
                if (_rows.TryAdd(token, snapshot))
                {
                    return true;
                }

                continue;
            }

            if (snapshot.Version <= current.Version)
            {
                return false;
            }

            if (_rows.TryUpdate(token, snapshot, current))
            {
                return true;
            }
        }
    }

    public DocumentStatus? Get(string token) => _rows.TryGetValue(token, out var row) ? row : null;

    /// <summary>A copy of the whole table.</summary>
    public IReadOnlyDictionary<string, DocumentStatus> ToDictionary() => new Dictionary<string, DocumentStatus>(_rows, StringComparer.Ordinal);
}
