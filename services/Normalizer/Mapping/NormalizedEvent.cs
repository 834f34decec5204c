namespace Streaming.Normalizer.Mapping;

/// <summary>A raw webhook mapped to the contract's terms (one DocumentEvent), plus the trace context to pass on.</summary>
public sealed record NormalizedEvent(
    string EventId,
    string Provider,
    string ProviderEventType,
    string EventType,
    string Status,
    string DocumentToken,
    string KeySource,
    EventSubject? Subject,
    DateTimeOffset OccurredAt,
    DateTimeOffset ReceivedAt,
    bool Test,
    Dictionary<string, object?> Attributes,
    RawRecordRef Source,
    string? TraceParent,
    string? TraceState);

/// <summary>Who or what in the document the event is about.</summary>
public sealed record EventSubject(string Kind, string Id);

/// <summary>Lineage: the raw record an event came from.</summary>
public sealed record RawRecordRef(string Topic, int Partition, long Offset, string ProviderEventId);
