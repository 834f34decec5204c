using System.Net;
using Avro;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using streaming.documents.v1;

namespace Streaming.SchemaRegistry.Tests;

/// <summary>
/// The services' stand-in serdes (Apache.Avro bodies in Confluent's framing) against Confluent's own: same subject,
/// same id, same bytes, and each reads the other's.
/// </summary>
public sealed class AvroWireSerdeTests : IAsyncLifetime
{
    private const string Topic = "documents.events.v1";
    private static readonly SerializationContext ValueContext = new(MessageComponentType.Value, Topic);
    private RegistryHost _host = null!;

    public async Task InitializeAsync() => _host = await RegistryHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Writes_the_same_bytes_as_Confluents_serializer_and_each_reads_the_other()
    {
        using var ours = _host.CreateClient();
        using var confluent = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = _host.Url.AbsoluteUri });
        var written = ConfluentClientTests.Sample();

        var ourBytes = await new AvroWireSerializer<DocumentEvent>(ours, SubjectNames.TopicValue(Topic)).SerializeAsync(written);
        var theirBytes = await new AvroSerializer<DocumentEvent>(confluent).SerializeAsync(written, ValueContext);

        Assert.Equal(Convert.ToHexString(theirBytes), Convert.ToHexString(ourBytes));
        Assert.Equivalent(written, await new AvroDeserializer<DocumentEvent>(confluent).DeserializeAsync(ourBytes, false, ValueContext), strict: true);
        Assert.Equivalent(written, await new AvroWireDeserializer<DocumentEvent>(ours).DeserializeAsync(theirBytes), strict: true);
    }

    [Fact]
    public async Task Reads_any_topic_as_written_into_generic_records()
    {
        using var client = _host.CreateClient();
        var bytes = await new AvroWireSerializer<DocumentEvent>(client, SubjectNames.TopicValue(Topic)).SerializeAsync(ConfluentClientTests.Sample());

        var record = await new AvroWireDeserializer<GenericRecord>(client).DeserializeAsync(bytes);

        Assert.Equal("doc-42", record["document_token"]);
        Assert.Equal("SIGNER_SIGNED", Assert.IsType<GenericEnum>(record["event_type"]).Value);
    }

    [Fact]
    public async Task Without_auto_register_an_unregistered_schema_fails_with_the_registry_error()
    {
        using var client = _host.CreateClient();
        var serializer = new AvroWireSerializer<DocumentEvent>(client, SubjectNames.TopicValue(Topic), autoRegister: false);

        var error = await Assert.ThrowsAsync<SchemaRegistryException>(async () => await serializer.SerializeAsync(ConfluentClientTests.Sample()));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Without_auto_register_uses_the_id_already_registered()
    {
        using var client = _host.CreateClient();
        var id = await client.RegisterAsync(SubjectNames.TopicValue(Topic), DocumentEventSchema.Json);

        var serializer = new AvroWireSerializer<DocumentEvent>(client, SubjectNames.TopicValue(Topic), autoRegister: false);

        Assert.Equal(id, await serializer.GetSchemaIdAsync());
    }

    [Fact]
    public async Task Rejects_bytes_that_are_not_in_the_wire_format()
    {
        using var client = _host.CreateClient();
        var deserializer = new AvroWireDeserializer<DocumentEvent>(client);

        await Assert.ThrowsAsync<InvalidDataException>(async () => await deserializer.DeserializeAsync(new byte[] { 1, 0, 0, 0, 1, 2 }));
    }

    [Fact]
    public async Task A_truncated_body_is_an_Avro_error()
    {
        using var client = _host.CreateClient();
        var bytes = await new AvroWireSerializer<DocumentEvent>(client, SubjectNames.TopicValue(Topic)).SerializeAsync(ConfluentClientTests.Sample());

        await Assert.ThrowsAnyAsync<AvroException>(async () => await new AvroWireDeserializer<DocumentEvent>(client).DeserializeAsync(bytes.AsMemory(0, 20)));
    }

    [Theory]
    [InlineData("feffffff0f")] // a string length of 2^31 - 1
    [InlineData("03")] // a negative string length
    [InlineData("ffffffffffffffffffff01")] // a varint longer than a long
    public async Task Corrupt_lengths_are_Avro_errors_not_crashes(string bodyHex)
    {
        using var client = _host.CreateClient();
        var id = await client.RegisterAsync(SubjectNames.TopicValue(Topic), DocumentEventSchema.Json);

        var value = ConfluentWireFormat.Write(id, Convert.FromHexString(bodyHex));

        await Assert.ThrowsAnyAsync<AvroException>(async () => await new AvroWireDeserializer<DocumentEvent>(client).DeserializeAsync(value));
    }

    [Fact]
    public async Task Unknown_writer_schema_id_is_40403()
    {
        using var client = _host.CreateClient();

        var error = await Assert.ThrowsAsync<SchemaRegistryException>(async () =>
            await new AvroWireDeserializer<DocumentEvent>(client).DeserializeAsync(new byte[] { 0, 0, 0, 3, 231, 2 }));

        Assert.Equal(40403, error.ErrorCode);
    }
}
