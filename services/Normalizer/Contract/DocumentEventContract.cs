using Streaming.Normalizer.Mapping;
using streaming.documents.v1;

namespace Streaming.Normalizer.Contract;

/// <summary>The typed DocumentEvent (Streaming.Contracts, schema contracts/avro/DocumentEvent.avsc) the normalizer makes of an event.</summary>
public static class DocumentEventContract
{
    /// <summary>The .avsc text as linked into Streaming.Contracts.</summary>
    public static string SchemaJson => DocumentEventSchema.Json;

    /// <summary>The typed record for a mapped event.</summary>
    /// <exception cref="Avro.AvroException">The event does not fit the contract (a symbol the contract lacks, a non-scalar attribute).</exception>
    public static DocumentEvent ToEvent(NormalizedEvent e) => new()
    {
        EventId = e.EventId,
        Provider = e.Provider,
        ProviderEventType = e.ProviderEventType,
        EventType = Symbol<EventType>(e.EventType, "event_type"),
        Status = Symbol<DocumentStatus>(e.Status, "status"),
        DocumentToken = e.DocumentToken,
        KeySource = Symbol<KeySource>(e.KeySource, "key_source"),
        Subject = e.Subject is { } s ? new Subject { Kind = Symbol<SubjectKind>(s.Kind, "subject.kind"), Id = s.Id } : null,
        OccurredAt = e.OccurredAt.UtcDateTime,
        ReceivedAt = e.ReceivedAt.UtcDateTime,
        Test = e.Test,
        Attributes = e.Attributes.ToDictionary(a => a.Key, a => Text(a.Key, a.Value), StringComparer.Ordinal),
        Source = new streaming.documents.v1.RawRecordRef
        {
            Topic = e.Source.Topic,
            Partition = e.Source.Partition,
            Offset = e.Source.Offset,
            ProviderEventId = e.Source.ProviderEventId,
        },
    };

    private static T Symbol<T>(string symbol, string field)
        where T : struct, Enum =>
        Enum.TryParse<T>(symbol, ignoreCase: false, out var value) && Enum.IsDefined(value) && !char.IsDigit(symbol[0])
            ? value
            : throw new Avro.AvroException($"{field}: '{symbol}' is not a symbol of the contract's {typeof(T).Name}");

    // The contract's attributes are a map of strings (the mapper extracts scalars as text).
    private static string Text(string name, object? value) =>
        value as string ?? throw new Avro.AvroException($"attributes.{name}: a {value?.GetType().Name ?? "null"} is not a string");
}
