using System.Buffers.Binary;
using Avro;
using Avro.Generic;
using Avro.IO;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Streaming.Status.Projection;
using Streaming.Status.Tests.Support;

namespace Streaming.Status.Tests;

/// <summary>
/// A record that can never be decoded is dead-lettered with its reason; only a registry that cannot be reached throws
/// (the projection retries the batch then, so anything else thrown would stall the partition on one bad record).
/// </summary>
public sealed class DocumentEventDecoderTests
{
    private const string Topic = "documents.events.v1";

    [Fact]
    public async Task Decodes_what_the_normalizers_serializer_writes()
    {
        using var registry = await RegistryAsync();
        var written = Lifecycle.Event("doc-decoder", "evt-decoder", LifecycleStatus.InProgress, 3);

        var decoded = new DocumentEventDecoder(registry).Decode(await SerializeAsync(registry, written), Topic, 2, 40);

        Assert.Null(decoded.Failure);
        Assert.Equal(("doc-decoder", "evt-decoder", LifecycleStatus.InProgress), (decoded.Event!.DocumentToken, decoded.Event.EventId, decoded.Event.Status));
    }

    [Theory]
    [InlineData("", "empty value")]
    [InlineData("00", "not a Confluent wire-format Avro record")] // shorter than the 5-byte header
    [InlineData("00000001", "not a Confluent wire-format Avro record")]
    [InlineData("010000000102", "not a Confluent wire-format Avro record")] // magic byte 1
    [InlineData("7b226e6f74223a226176726f227d", "not a Confluent wire-format Avro record")] // {"not":"avro"}
    [InlineData("007fffffff02", "writer schema unknown to the registry (40403)")]
    public async Task Values_that_are_not_DocumentEvents_in_the_wire_format_are_dead_lettered(string hex, string reason)
    {
        using var registry = await RegistryAsync();

        var decoded = new DocumentEventDecoder(registry).Decode(Convert.FromHexString(hex), Topic, 0, 1);

        Assert.Null(decoded.Event);
        Assert.StartsWith(reason, decoded.Failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")] // the header alone
    [InlineData("feffffff0f")] // a string length of 2^31 - 1
    [InlineData("03")] // a negative string length
    [InlineData("ffffffffffffffffffff01")] // a varint longer than a long
    public async Task Corrupt_or_truncated_bodies_under_a_known_schema_are_dead_lettered(string bodyHex)
    {
        using var registry = await RegistryAsync();
        var header = (await SerializeAsync(registry, Lifecycle.Event("doc-corrupt", "evt-corrupt", LifecycleStatus.Pending, 0)))[..5];

        var decoded = new DocumentEventDecoder(registry).Decode([.. header, .. Convert.FromHexString(bodyHex)], Topic, 0, 1);

        Assert.Null(decoded.Event);
        Assert.StartsWith("cannot be read as a DocumentEvent", decoded.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_newer_writer_schema_reads_its_added_status_as_UNKNOWN_and_each_schema_id_keeps_its_own_reader()
    {
        using var registry = await RegistryAsync();
        var current = await SerializeAsync(registry, Lifecycle.Event("doc-future", "evt-current", LifecycleStatus.Completed, 1));
        var (futureId, futureSchema) = await RegisterFutureContractAsync(registry);
        // The same event as the newer writer has it: one more status symbol (used), one more field (skipped by the reader).
        var upgraded = new GenericReader<GenericRecord>(streaming.documents.v1.DocumentEvent._SCHEMA, futureSchema)
            .Read(null!, new BinaryDecoder(new MemoryStream(current, 5, current.Length - 5)));
        upgraded.Add("status", new GenericEnum((EnumSchema)futureSchema["status"].Schema, "ARCHIVED"));
        upgraded.Add("event_id", "evt-future");
        upgraded.Add("archived_by", "retention policy");
        var future = Wire(futureId, futureSchema, upgraded);
        var decoder = new DocumentEventDecoder(registry);

        var read = new[] { current, future, current, future }.Select((v, i) => decoder.Decode(v, Topic, 0, i)).ToList();

        Assert.All(read, r => Assert.Null(r.Failure));
        Assert.Equal(
            [("evt-current", LifecycleStatus.Completed), ("evt-future", LifecycleStatus.Unknown), ("evt-current", LifecycleStatus.Completed), ("evt-future", LifecycleStatus.Unknown)],
            read.Select(r => (r.Event!.EventId, r.Event.Status)));
        Assert.All(read, r => Assert.Equal("doc-future", r.Event!.DocumentToken));
    }

    /// <summary>A later DocumentEvent contract, registered FULL-compatible under a subject of its own: its schema id and schema.</summary>
    private static async Task<(int Id, RecordSchema Schema)> RegisterFutureContractAsync(CachedSchemaRegistryClient registry)
    {
        var json = streaming.documents.v1.DocumentEvent._SCHEMA.ToString()
            .Replace("\"REJECTED\"]", "\"REJECTED\",\"ARCHIVED\"]", StringComparison.Ordinal);
        json = json[..json.LastIndexOf(']')] + ",{\"name\":\"archived_by\",\"type\":\"string\",\"default\":\"\"}" + json[json.LastIndexOf(']')..];
        var schema = (RecordSchema)Avro.Schema.Parse(json);
        Assert.Contains("ARCHIVED", ((EnumSchema)schema["status"].Schema).Symbols);
        var subject = "future-" + Guid.NewGuid().ToString("N") + "-value";
        var id = await registry.RegisterSchemaAsync(subject, new Confluent.SchemaRegistry.Schema(json, SchemaType.Avro));
        return (id, schema);
    }

    private static byte[] Wire(int schemaId, RecordSchema schema, GenericRecord record)
    {
        using var stream = new MemoryStream();
        stream.WriteByte(0);
        Span<byte> id = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(id, schemaId);
        stream.Write(id);
        new GenericDatumWriter<GenericRecord>(schema).Write(record, new BinaryEncoder(stream));
        return stream.ToArray();
    }

    private static async Task<CachedSchemaRegistryClient> RegistryAsync() =>
        new(new SchemaRegistryConfig { Url = (await TestRegistry.UrlAsync()).AbsoluteUri });

    private static Task<byte[]> SerializeAsync(ISchemaRegistryClient registry, ProjectedEvent e) =>
        new AvroSerializer<streaming.documents.v1.DocumentEvent>(registry)
            .SerializeAsync(EventProducer.ToEvent(e), new SerializationContext(MessageComponentType.Value, Topic));
}
