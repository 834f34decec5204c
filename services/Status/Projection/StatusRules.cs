namespace Streaming.Status.Projection;

/// <summary>
/// How events make a document's state (docs/design.md): PENDING &lt; IN_PROGRESS &lt; NEEDS_REVIEW &lt; terminal;
/// between two terminal statuses the later occurred_at wins (ties: received_at, then event id); UNKNOWN events enter
/// the history without moving the status. Defined as a fold over the history in <see cref="FoldKey"/> order, so the
/// result depends on the set of events only; <see cref="Apply"/> gets there incrementally for in-order arrivals and
/// re-folds the history for a late one.
/// </summary>
public static class StatusRules
{
    /// <summary>Order of the lifecycle; both terminal statuses share the top rank.</summary>
    public static int Rank(LifecycleStatus status) => status switch
    {
        LifecycleStatus.Pending => 1,
        LifecycleStatus.InProgress => 2,
        LifecycleStatus.NeedsReview => 3,
        LifecycleStatus.Completed or LifecycleStatus.Rejected => 4,
        _ => 0,
    };

    public static bool IsTerminal(LifecycleStatus status) => Rank(status) == 4;

    /// <summary>
    /// The state after <paramref name="e"/> (not yet in <paramref name="current"/>) is applied.
    /// <paramref name="history"/> returns every event of the document including <paramref name="e"/>; it is called only
    /// when <paramref name="e"/> sorts before an event already folded (a late arrival).
    /// </summary>
    public static DocumentSnapshot Apply(DocumentSnapshot? current, ProjectedEvent e, Func<IReadOnlyCollection<ProjectedEvent>> history, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(history);
        return IsInOrder(current, e) ? Step(current, e, nowMs) : Fold(history(), nowMs);
    }

    /// <summary>Whether <paramref name="e"/> sorts after every event folded into <paramref name="current"/> (one step suffices).</summary>
    public static bool IsInOrder(DocumentSnapshot? current, ProjectedEvent e) =>
        current is null || FoldKey.Of(e) > current.LastFolded;

    /// <summary>The state made by all of <paramref name="events"/> (any order in, fold order applied).</summary>
    public static DocumentSnapshot Fold(IEnumerable<ProjectedEvent> events, long nowMs)
    {
        DocumentSnapshot? state = null;
        foreach (var e in events.OrderBy(FoldKey.Of))
        {
            state = Step(state, e, nowMs);
        }

        return state ?? throw new ArgumentException("a document has at least one event", nameof(events));
    }

    /// <summary>One fold step: <paramref name="e"/> sorts after every event in <paramref name="state"/>.</summary>
    internal static DocumentSnapshot Step(DocumentSnapshot? state, ProjectedEvent e, long nowMs)
    {
        if (state is null)
        {
            return new DocumentSnapshot(
                e.DocumentToken,
                e.Status,
                e.Status == LifecycleStatus.Unknown ? 0 : e.OccurredAtMs,
                e.Status == LifecycleStatus.Unknown ? "" : e.EventId,
                FoldKey.Of(e),
                e,
                e.ReceivedAtMs,
                nowMs,
                1,
                e.Test);
        }

        var next = state with
        {
            LastFolded = FoldKey.Of(e),
            LastEvent = ReceivedLater(e, state.LastEvent) ? e : state.LastEvent,
            FirstSeenAtMs = Math.Min(state.FirstSeenAtMs, e.ReceivedAtMs),
            UpdatedAtMs = nowMs,
            EventCount = state.EventCount + 1,
            Test = state.Test && e.Test,
        };
        return Moves(state.Status, e.Status)
            ? next with { Status = e.Status, StatusChangedAtMs = e.OccurredAtMs, StatusEventId = e.EventId }
            : next;
    }

    /// <summary>Whether an event with status <paramref name="incoming"/>, later in fold order, changes <paramref name="current"/>.</summary>
    public static bool Moves(LifecycleStatus current, LifecycleStatus incoming)
    {
        if (incoming == LifecycleStatus.Unknown || incoming == current)
        {
            return false;
        }

        var (from, to) = (Rank(current), Rank(incoming));
        // A later terminal event replaces an earlier one: an approval can be reversed.
        return to > from || (to == 4 && from == 4);
    }

    /// <summary>The "most recently received" order of last_event: received_at, then event id.</summary>
    private static bool ReceivedLater(ProjectedEvent a, ProjectedEvent b) =>
        a.ReceivedAtMs != b.ReceivedAtMs ? a.ReceivedAtMs > b.ReceivedAtMs : string.CompareOrdinal(a.EventId, b.EventId) > 0;
}
