using Streaming.Status.Projection;
using Contract = streaming.documents.status.v1;

namespace Streaming.Status.Publishing;

/// <summary>Projection state to the typed DocumentStatus of contracts/avro/DocumentStatus.avsc.</summary>
public static class SnapshotMapping
{
    public static Contract.DocumentStatus ToSnapshot(DocumentSnapshot d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var known = d.Status != LifecycleStatus.Unknown;
        return new Contract.DocumentStatus
        {
            DocumentToken = d.DocumentToken,
            Version = d.Version,
            Status = ToContract(d.Status),
            StatusChangedAt = known ? Time(d.StatusChangedAtMs) : null,
            StatusEventId = known ? d.StatusEventId : null,
            Provider = d.Provider,
            LastEvent = new Contract.EventSummary
            {
                EventId = d.LastEvent.EventId,
                Provider = d.LastEvent.Provider,
                ProviderEventType = d.LastEvent.ProviderEventType,
                EventType = d.LastEvent.EventType,
                Status = ToContract(d.LastEvent.Status),
                OccurredAt = Time(d.LastEvent.OccurredAtMs),
                ReceivedAt = Time(d.LastEvent.ReceivedAtMs),
                Test = d.LastEvent.Test,
                Subject = d.LastEvent.Subject,
                ProviderEventId = d.LastEvent.ProviderEventId,
            },
            EventCount = d.EventCount,
            FirstSeenAt = Time(d.FirstSeenAtMs),
            UpdatedAt = Time(d.UpdatedAtMs),
            Test = d.Test,
        };
    }

    public static Contract.LifecycleStatus ToContract(LifecycleStatus status) => status switch
    {
        LifecycleStatus.Pending => Contract.LifecycleStatus.PENDING,
        LifecycleStatus.InProgress => Contract.LifecycleStatus.IN_PROGRESS,
        LifecycleStatus.NeedsReview => Contract.LifecycleStatus.NEEDS_REVIEW,
        LifecycleStatus.Completed => Contract.LifecycleStatus.COMPLETED,
        LifecycleStatus.Rejected => Contract.LifecycleStatus.REJECTED,
        _ => Contract.LifecycleStatus.UNKNOWN,
    };

    private static DateTime Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime;
}
