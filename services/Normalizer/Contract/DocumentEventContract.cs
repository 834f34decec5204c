using System.Reflection;
using Streaming.Avro;
using Streaming.Normalizer.Mapping;

namespace Streaming.Normalizer.Contract;

/// <summary>The DocumentEvent schema (contracts/avro/DocumentEvent.avsc, embedded) and the record it makes of an event.</summary>
public static class DocumentEventContract
{
    public const string ResourceName = "contracts/avro/DocumentEvent.avsc";

    private static readonly string Json = ReadResource(ResourceName);
    private static readonly Lazy<RecordSchema> Lazy = new(() => (RecordSchema)AvroSchema.Parse(Json));

    /// <summary>The .avsc text as linked into this assembly.</summary>
    public static string SchemaJson => Json;

    public static RecordSchema Schema => Lazy.Value;

    /// <summary>The generic record for an event, in the shape of <see cref="Schema"/>.</summary>
    public static GenericRecord ToRecord(NormalizedEvent e)
    {
        var schema = Schema;
        var record = new GenericRecord(schema)
        {
            ["event_id"] = e.EventId,
            ["provider"] = e.Provider,
            ["provider_event_type"] = e.ProviderEventType,
            ["event_type"] = e.EventType,
            ["status"] = e.Status,
            ["document_token"] = e.DocumentToken,
            ["key_source"] = e.KeySource,
            ["occurred_at"] = e.OccurredAt,
            ["received_at"] = e.ReceivedAt,
            ["test"] = e.Test,
            ["attributes"] = e.Attributes,
        };
        if (e.Subject is { } subject)
        {
            var subjectSchema = SubjectSchema;
            record["subject"] = new GenericRecord(subjectSchema) { ["kind"] = subject.Kind, ["id"] = subject.Id };
        }

        var source = new GenericRecord((RecordSchema)schema.GetField("source")!.Type)
        {
            ["topic"] = e.Source.Topic,
            ["partition"] = e.Source.Partition,
            ["offset"] = e.Source.Offset,
            ["provider_event_id"] = e.Source.ProviderEventId,
        };
        record["source"] = source;
        return record;
    }

    private static RecordSchema SubjectSchema =>
        ((UnionSchema)Schema.GetField("subject")!.Type).Branches.OfType<RecordSchema>().Single();

    private static string ReadResource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource '{name}' is missing (see Normalizer.csproj)");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
