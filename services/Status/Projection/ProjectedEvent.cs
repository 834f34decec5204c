namespace Streaming.Status.Projection;

/// <summary>The lifecycle statuses of docs/design.md, numbered as in document_status.proto. Unknown: the event does not move the status.</summary>
public enum LifecycleStatus
{
    Unknown = 0,
    Pending = 1,
    InProgress = 2,
    NeedsReview = 3,
    Completed = 4,
    Rejected = 5,
}

/// <summary>
/// One DocumentEvent as the projection keeps it. Times are Unix milliseconds (the contract's timestamp-millis).
/// Lineage names the documents.events.v1 record it was read from; <see cref="ProviderEventId"/> is the id the
/// ingress answered for the webhook (the provider's id, or sha256:&lt;hex&gt; of the body), as in the contract's source.
/// </summary>
public sealed record ProjectedEvent(
    string EventId,
    string DocumentToken,
    string Provider,
    string ProviderEventType,
    string EventType,
    LifecycleStatus Status,
    long OccurredAtMs,
    long ReceivedAtMs,
    bool Test,
    string Subject,
    string SourceTopic,
    int SourcePartition,
    long SourceOffset,
    string ProviderEventId = "");

/// <summary>Where an event sits in fold order: occurred_at, then received_at, then event id (ordinal).</summary>
public readonly record struct FoldKey(long OccurredAtMs, long ReceivedAtMs, string EventId) : IComparable<FoldKey>
{
    public static FoldKey Of(ProjectedEvent e) => new(e.OccurredAtMs, e.ReceivedAtMs, e.EventId);

    public int CompareTo(FoldKey other)
    {
        var c = OccurredAtMs.CompareTo(other.OccurredAtMs);
        if (c != 0)
        {
            return c;
        }

        c = ReceivedAtMs.CompareTo(other.ReceivedAtMs);
        return c != 0 ? c : string.CompareOrdinal(EventId, other.EventId);
    }

    public static bool operator <(FoldKey left, FoldKey right) => left.CompareTo(right) < 0;

    public static bool operator >(FoldKey left, FoldKey right) => left.CompareTo(right) > 0;

    public static bool operator <=(FoldKey left, FoldKey right) => left.CompareTo(right) <= 0;

    public static bool operator >=(FoldKey left, FoldKey right) => left.CompareTo(right) >= 0;
}

/// <summary>
/// The projected state of one document. Everything but <see cref="UpdatedAtMs"/> is a function of the set of its
/// events, whatever order they arrived in (<see cref="StatusRules"/>); UpdatedAtMs is when the projection last
/// changed the document, so "updated since" queries never miss a late event.
/// </summary>
public sealed record DocumentSnapshot(
    string DocumentToken,
    LifecycleStatus Status,
    long StatusChangedAtMs,
    string StatusEventId,
    FoldKey LastFolded,
    ProjectedEvent LastEvent,
    long FirstSeenAtMs,
    long UpdatedAtMs,
    long EventCount,
    bool Test)
{
    /// <summary>Provider of the most recently received event.</summary>
    public string Provider => LastEvent.Provider;

    /// <summary>
    /// The version of this state on documents.status.v1: the number of distinct events folded in. It grows with every
    /// change and, the state being a function of the set of events, is the same for the same state on every replica
    /// and after a rebuild of the store.
    /// </summary>
    public long Version => EventCount;

    /// <summary>The same state ignoring when the projection wrote it (for order-independence checks).</summary>
    public DocumentSnapshot WithoutUpdateTime() => this with { UpdatedAtMs = 0 };
}

/// <summary>A document's state after an event was applied, as watchers see it.</summary>
public sealed class DocumentChange(DocumentSnapshot document, ProjectedEvent? evt)
{
    public DocumentSnapshot Document { get; } = document;

    /// <summary>The event that caused the change; null when only the state is known (a change made by another replica whose event is gone).</summary>
    public ProjectedEvent? Event { get; } = evt;

    /// <summary>When this process learnt of the change (Stopwatch ticks), for latency measurements.</summary>
    public long PublishedAtTicks { get; internal set; }

    /// <summary>The wire form, built once and shared by every watcher.</summary>
    internal object? WireCache { get; set; }
}
