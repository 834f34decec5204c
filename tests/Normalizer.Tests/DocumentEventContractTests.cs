using System.Buffers.Binary;
using System.Text.Json;
using Avro;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Streaming.Normalizer.Contract;
using Streaming.Normalizer.Mapping;
using Streaming.SchemaRegistry;
using Streaming.Testing;
using streaming.documents.v1;
using ConfluentSchema = Confluent.SchemaRegistry.Schema;

namespace Streaming.Normalizer.Tests;

public sealed class DocumentEventContractTests
{
    private static readonly EventMapper Mapper = new(MappingCatalog.LoadEmbedded(), strictEventTypes: false);

    private static readonly SerializationContext ValueContext = new(MessageComponentType.Value, TestRegistry.Topic);

    [Fact]
    public async Task A_mapped_event_round_trips_as_the_typed_DocumentEvent()
    {
        var e = Mapper.Map(RawWebhooks.Create("inkless", "email_bounced", testMode: true).ToRawRecord("raw", 1, 7)).Event!;
        var value = await TestRegistry.SerializeAsync(DocumentEventContract.ToEvent(e));

        var read = await new AvroDeserializer<DocumentEvent>(await TestRegistry.ClientAsync()).DeserializeAsync(value, isNull: false, ValueContext);

        Assert.Equal(await TestRegistry.ContractIdAsync(), SchemaId(value));
        Assert.Equal(e.EventId, read.EventId);
        Assert.Equal(e.OccurredAt.ToUnixTimeMilliseconds(), new DateTimeOffset(read.OccurredAt).ToUnixTimeMilliseconds());
        Assert.Equal(EventType.NOTIFICATION_FAILED, read.EventType);
        Assert.Equal(DocumentStatus.UNKNOWN, read.Status);
        Assert.True(read.Test);
        Assert.Equal("raw", read.Source.Topic);
        Assert.Equal(7, read.Source.Offset);
    }

    [Fact]
    public async Task Old_readers_see_statuses_and_event_types_added_later_as_UNKNOWN()
    {
        // A future contract with one more status and event type, as contracts/README.md allows.
        var futureJson = DocumentEventContract.SchemaJson
            .Replace("\"REJECTED\"],", "\"REJECTED\", \"ARCHIVED\"],", StringComparison.Ordinal)
            .Replace("\"CUSTOMER_REJECTED\"", "\"CUSTOMER_REJECTED\", \"DOCUMENT_ARCHIVED\"", StringComparison.Ordinal);
        var future = (RecordSchema)global::Avro.Schema.Parse(futureJson);
        Assert.True(SchemaCompatibility.Check(future, [DocumentEvent._SCHEMA], CompatibilityLevel.Full).IsCompatible);

        var e = Mapper.Map(RawWebhooks.Create("insigner", "document.completed").ToRawRecord()).Event!;
        var current = DocumentEventContract.ToEvent(e);
        var written = new GenericRecord(future);
        foreach (var field in future.Fields)
        {
            var value = current.Get(field.Pos);
            written.Add(field.Name, value switch
            {
                Enum symbol => new GenericEnum((EnumSchema)field.Schema, symbol.ToString()),
                _ => value,
            });
        }

        var source = new GenericRecord((RecordSchema)future["source"].Schema);
        source.Add("topic", "raw");
        source.Add("partition", 0);
        source.Add("offset", 1L);
        source.Add("provider_event_id", "x");
        written.Add("subject", null);
        written.Add("source", source);
        written.Add("attributes", new Dictionary<string, object>());
        written.Add("status", new GenericEnum((EnumSchema)future["status"].Schema, "ARCHIVED"));
        written.Add("event_type", new GenericEnum((EnumSchema)future["event_type"].Schema, "DOCUMENT_ARCHIVED"));
        // The future writer registers its schema under a topic of its own (FULL, as the check above) and writes with it;
        // the reader is the status service's: Confluent's deserializer into today's typed DocumentEvent.
        var registry = await TestRegistry.ClientAsync();
        var topic = "future-" + Guid.NewGuid().ToString("N");
        await registry.UpdateCompatibilityAsync(Compatibility.Full, SubjectNames.TopicValue(topic));
        await registry.RegisterSchemaAsync(SubjectNames.TopicValue(topic), new ConfluentSchema(DocumentEventContract.SchemaJson, SchemaType.Avro));
        var context = new SerializationContext(MessageComponentType.Value, topic);
        var bytes = await new AvroSerializer<GenericRecord>(registry).SerializeAsync(written, context);

        var read = await new AvroDeserializer<DocumentEvent>(registry).DeserializeAsync(bytes, isNull: false, context);

        Assert.Equal(DocumentStatus.UNKNOWN, read.Status);
        Assert.Equal(EventType.UNKNOWN, read.EventType);
        Assert.Equal(current.EventId, read.EventId);
    }

    [Fact]
    public void An_attribute_that_is_not_text_is_a_contract_violation()
    {
        var e = Mapper.Map(RawWebhooks.Create("inkless", "document_signed").ToRawRecord()).Event!;
        e.Attributes["count"] = 3;

        Assert.Throws<AvroException>(() => DocumentEventContract.ToEvent(e));
    }

    [Fact]
    public async Task Apache_avro_for_python_reads_what_we_write()
    {
        var e = Mapper.Map(RawWebhooks.Create("inkless", "document_signed", testMode: true).ToRawRecord("raw", 3, 99)).Event!;
        var value = await TestRegistry.SerializeAsync(DocumentEventContract.ToEvent(e));

        var decoded = PythonAvro.Decode([value]).Single();

        Assert.Equal(await TestRegistry.ContractIdAsync(), decoded.GetProperty("_schema_id").GetInt32());
        Assert.Equal(e.EventId, decoded.GetProperty("event_id").GetString());
        Assert.Equal("SIGNER_SIGNED", decoded.GetProperty("event_type").GetString());
        Assert.Equal("IN_PROGRESS", decoded.GetProperty("status").GetString());
        Assert.Equal("LINK", decoded.GetProperty("subject").GetProperty("kind").GetString());
        Assert.Equal("271", decoded.GetProperty("subject").GetProperty("id").GetString());
        Assert.True(decoded.GetProperty("test").GetBoolean());
        Assert.Equal(99, decoded.GetProperty("source").GetProperty("offset").GetInt64());
    }

    // Confluent's framing: magic byte 0, then the schema id as a big-endian int32, then the Avro body.
    private static int SchemaId(byte[] value)
    {
        Assert.True(value.Length > 5 && value[0] == 0, "not in Confluent's wire format");
        return BinaryPrimitives.ReadInt32BigEndian(value.AsSpan(1, 4));
    }
}

/// <summary>Apache Avro for Python (Debian python3-avro) as an independent decoder.</summary>
public static class PythonAvro
{
    public static List<JsonElement> Decode(IEnumerable<byte[]> confluentValues)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "tools", "decode_document_event.py");
        var schema = Path.Combine(AppContext.BaseDirectory, "tools", "DocumentEvent.avsc");
        var input = string.Join('\n', confluentValues.Select(Convert.ToHexString));
        var output = ExternalProcess.Run(ExternalProcess.DebianPython, [script, schema], System.Text.Encoding.UTF8.GetBytes(input));
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }
}
