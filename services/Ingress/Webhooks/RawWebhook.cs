namespace Streaming.Ingress.Webhooks;

/// <summary>A verified webhook as it goes to Kafka: the exact body plus what the ingress extracted.</summary>
public sealed record RawWebhook(
    string Provider,
    byte[] Body,
    string Key,
    string KeySource,
    string EventId,
    string EventIdSource,
    string? EventType,
    string? OccurredAt,
    DateTimeOffset ReceivedAt,
    bool TestMode,
    string? ContentType,
    string TraceParent,
    string? TraceState);
