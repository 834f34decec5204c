using Streaming.Status.Projection;

namespace Streaming.Status.Store;

/// <summary>
/// Where the projection keeps documents, their histories and its consumed offsets: SQLite (embedded default) or
/// PostgreSQL (shared by replicas). A batch's events, dead letters and offsets commit in one transaction.
/// </summary>
public interface IStatusStore : IAsyncDisposable
{
    /// <summary>"sqlite" or "postgresql", for logs and health.</summary>
    string Kind { get; }

    /// <summary>Creates the schema or migrates it to the current version; safe to run from several replicas at once.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>The next offsets to consume, per partition of <paramref name="topic"/>, for the consumer group.</summary>
    Task<IReadOnlyDictionary<int, long>> ReadOffsetsAsync(string groupId, string topic, CancellationToken cancellationToken);

    /// <summary>
    /// Applies a batch in one transaction: events (a known event id is skipped), dead letters and the new offsets.
    /// </summary>
    /// <exception cref="OffsetConflictException">A partition's stored offset is not the batch's expected one
    /// (another replica applied it); nothing was written.</exception>
    Task<BatchResult> ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken);

    Task<DocumentSnapshot?> GetDocumentAsync(string documentToken, CancellationToken cancellationToken);

    /// <summary>A document's events in fold order (occurred_at, received_at, event id), after <paramref name="after"/>.</summary>
    Task<IReadOnlyList<ProjectedEvent>> ListEventsAsync(string documentToken, FoldKey? after, int limit, CancellationToken cancellationToken);

    /// <summary>Documents most recently updated first (then by token), after <paramref name="after"/>.</summary>
    Task<IReadOnlyList<DocumentSnapshot>> ListDocumentsAsync(DocumentQuery query, DocumentCursor? after, int limit, CancellationToken cancellationToken);

    /// <summary>Events by id (for changes other replicas made).</summary>
    Task<IReadOnlyList<ProjectedEvent>> GetEventsAsync(IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken);

    /// <summary>Dead-lettered records, oldest first.</summary>
    Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int limit, CancellationToken cancellationToken);

    /// <summary>
    /// The current state of every document the outbox holds for these documents.events.v1 partitions: committed
    /// changes not yet acknowledged on documents.status.v1 (a crash between commit and produce leaves them there).
    /// </summary>
    Task<IReadOnlyList<DocumentSnapshot>> ReadUnpublishedAsync(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken);

    /// <summary>Removes outbox rows whose version Kafka acknowledged (a row with a later version stays).</summary>
    Task MarkPublishedAsync(IReadOnlyCollection<PublishedSnapshot> published, CancellationToken cancellationToken);

    /// <summary>Answers when the database does (readiness).</summary>
    Task PingAsync(CancellationToken cancellationToken);
}

/// <summary>Filters of ListDocuments; empty means any.</summary>
public sealed record DocumentQuery(IReadOnlyCollection<LifecycleStatus> Statuses, string? Provider, long? UpdatedSinceMs);

/// <summary>Keyset position in ListDocuments order.</summary>
public readonly record struct DocumentCursor(long UpdatedAtMs, string DocumentToken);

/// <summary>A record that could not be projected, kept with the reason instead of stalling its partition.</summary>
public sealed record DeadLetter(string Topic, int Partition, long Offset, string? Key, string Reason, long RecordedAtMs);

/// <summary>The offsets one partition moves from and to in a batch.</summary>
/// <param name="Expected">The next offset stored before this batch; null when none is stored yet.</param>
/// <param name="Next">The next offset after this batch.</param>
public sealed record PartitionProgress(string Topic, int Partition, long? Expected, long Next);

/// <summary>What one transaction applies: records in consumption order, then offsets.</summary>
/// <param name="QueueSnapshots">Also record each changed document in the outbox of documents.status.v1, in the same transaction.</param>
public sealed record ProjectionBatch(
    string GroupId,
    IReadOnlyList<ProjectedEvent> Events,
    IReadOnlyList<DeadLetter> DeadLetters,
    IReadOnlyList<PartitionProgress> Offsets,
    long NowMs,
    bool QueueSnapshots = false);

/// <summary>A snapshot version Kafka acknowledged on documents.status.v1.</summary>
public readonly record struct PublishedSnapshot(string DocumentToken, long Version);

/// <summary>What a committed batch changed.</summary>
public sealed record BatchResult(IReadOnlyList<DocumentChange> Changes, int Applied, int Duplicates, int DeadLetters);

/// <summary>The stored offset of a partition was not what the batch expected: another consumer got there first.</summary>
public sealed class OffsetConflictException : Exception
{
    public OffsetConflictException()
    {
    }

    public OffsetConflictException(string message)
        : base(message)
    {
    }

    public OffsetConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
