using Google.Protobuf.WellKnownTypes;
using Streaming.Contracts.Status.V1;
using Streaming.Status.Projection;

namespace Streaming.Status.Api;

/// <summary>Projection types to the messages of contracts/status/v1/document_status.proto.</summary>
internal static class ProtoMapping
{
    public static DocumentState ToState(DocumentSnapshot d)
    {
        var state = new DocumentState
        {
            DocumentToken = d.DocumentToken,
            Status = (DocumentStatus)(int)d.Status,
            Provider = d.Provider,
            LastEvent = ToSummary(d.LastEvent),
            FirstSeenAt = Time(d.FirstSeenAtMs),
            UpdatedAt = Time(d.UpdatedAtMs),
            EventCount = d.EventCount,
            StatusEventId = d.StatusEventId,
            Test = d.Test,
        };
        if (d.Status != LifecycleStatus.Unknown)
        {
            state.StatusChangedAt = Time(d.StatusChangedAtMs);
        }

        return state;
    }

    public static DocumentEventSummary ToSummary(ProjectedEvent e) => new()
    {
        EventId = e.EventId,
        Provider = e.Provider,
        ProviderEventType = e.ProviderEventType,
        EventType = e.EventType,
        Status = (DocumentStatus)(int)e.Status,
        OccurredAt = Time(e.OccurredAtMs),
        ReceivedAt = Time(e.ReceivedAtMs),
        Test = e.Test,
        Subject = e.Subject,
        ProviderEventId = e.ProviderEventId,
    };

    /// <summary>The UPDATED message of a change, built once and shared by all watchers.</summary>
    public static DocumentStatusChange ToUpdate(DocumentChange change)
    {
        if (change.WireCache is DocumentStatusChange cached)
        {
            return cached;
        }

        var message = new DocumentStatusChange { Document = ToState(change.Document), Kind = DocumentChangeKind.Updated };
        if (change.Event is { } e)
        {
            message.Event = ToSummary(e);
        }

        change.WireCache = message;
        return message;
    }

    public static Timestamp Time(long ms) => new()
    {
        Seconds = Math.DivRem(ms, 1000, out var rest) - (rest < 0 ? 1 : 0),
        Nanos = (int)((rest < 0 ? rest + 1000 : rest) * 1_000_000),
    };

    public static long Millis(Timestamp t) => (t.Seconds * 1000) + (t.Nanos / 1_000_000);
}
