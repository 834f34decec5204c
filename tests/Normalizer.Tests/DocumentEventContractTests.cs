using System.Text.Json;
using Streaming.Avro;
using Streaming.Normalizer.Contract;
using Streaming.Normalizer.Mapping;
using Streaming.Testing;

namespace Streaming.Normalizer.Tests;

public sealed class DocumentEventContractTests
{
    private static readonly EventMapper Mapper = new(MappingCatalog.LoadEmbedded(), strictEventTypes: false);

    [Fact]
    public void A_mapped_event_round_trips_through_our_avro_library()
    {
        var e = Mapper.Map(RawWebhooks.Create("inkless", "email_bounced", testMode: true).ToRawRecord("raw", 1, 7)).Event!;
        var bytes = AvroSerializer.Serialize(DocumentEventContract.Schema, DocumentEventContract.ToRecord(e));

        var read = Assert.IsType<GenericRecord>(AvroDeserializer.Deserialize(bytes, DocumentEventContract.Schema));

        Assert.Equal(bytes, AvroSerializer.Serialize(DocumentEventContract.Schema, read));
        Assert.Equal(e.EventId, read["event_id"]);
        Assert.Equal(e.OccurredAt.ToUnixTimeMilliseconds(), ((DateTimeOffset)read["occurred_at"]!).ToUnixTimeMilliseconds());
        Assert.Equal("NOTIFICATION_FAILED", read["event_type"]!.ToString());
        Assert.Equal("UNKNOWN", read["status"]!.ToString());
        Assert.Equal(true, read["test"]);
    }

    [Fact]
    public void Old_readers_see_statuses_and_event_types_added_later_as_UNKNOWN()
    {
        // A future contract with one more status and event type, as contracts/README.md allows.
        var futureJson = DocumentEventContract.SchemaJson
            .Replace("\"REJECTED\"],", "\"REJECTED\", \"ARCHIVED\"],", StringComparison.Ordinal)
            .Replace("\"CUSTOMER_REJECTED\"", "\"CUSTOMER_REJECTED\", \"DOCUMENT_ARCHIVED\"", StringComparison.Ordinal);
        var future = (RecordSchema)AvroSchema.Parse(futureJson);
        Assert.True(Streaming.SchemaRegistry.SchemaCompatibility.Check(
            global::Avro.Schema.Parse(futureJson), [global::Avro.Schema.Parse(DocumentEventContract.SchemaJson)], Streaming.SchemaRegistry.CompatibilityLevel.Full).IsCompatible);

        var e = Mapper.Map(RawWebhooks.Create("insigner", "document.completed").ToRawRecord()).Event!;
        var record = DocumentEventContract.ToRecord(e);
        var written = new GenericRecord(future);
        foreach (var field in future.Fields)
        {
            written[field.Name] = record[field.Name];
        }

        written["subject"] = null;
        written["source"] = new GenericRecord((RecordSchema)future.GetField("source")!.Type)
        {
            ["topic"] = "raw", ["partition"] = 0, ["offset"] = 1L, ["provider_event_id"] = "x",
        };
        written["status"] = "ARCHIVED";
        written["event_type"] = "DOCUMENT_ARCHIVED";

        var read = (GenericRecord)AvroDeserializer.Deserialize(AvroSerializer.Serialize(future, written), future, DocumentEventContract.Schema)!;

        Assert.Equal("UNKNOWN", read["status"]!.ToString());
        Assert.Equal("UNKNOWN", read["event_type"]!.ToString());
    }

    [Fact]
    public void Apache_avro_for_python_reads_what_we_write()
    {
        var e = Mapper.Map(RawWebhooks.Create("inkless", "document_signed", testMode: true).ToRawRecord("raw", 3, 99)).Event!;
        var value = Streaming.Avro.ConfluentWireFormat.Write(42, AvroSerializer.Serialize(DocumentEventContract.Schema, DocumentEventContract.ToRecord(e)));

        var decoded = PythonAvro.Decode([value]).Single();

        Assert.Equal(42, decoded.GetProperty("_schema_id").GetInt32());
        Assert.Equal(e.EventId, decoded.GetProperty("event_id").GetString());
        Assert.Equal("SIGNER_SIGNED", decoded.GetProperty("event_type").GetString());
        Assert.Equal("IN_PROGRESS", decoded.GetProperty("status").GetString());
        Assert.Equal("LINK", decoded.GetProperty("subject").GetProperty("kind").GetString());
        Assert.Equal("271", decoded.GetProperty("subject").GetProperty("id").GetString());
        Assert.True(decoded.GetProperty("test").GetBoolean());
        Assert.Equal(99, decoded.GetProperty("source").GetProperty("offset").GetInt64());
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
