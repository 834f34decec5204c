using System.Net;
using Streaming.Avro;

namespace Streaming.SchemaRegistry.Tests;

/// <summary>The wire-format serializer and deserializer against the registry endpoint.</summary>
public sealed class AvroWireSerdeTests : IAsyncLifetime
{
    private RegistryHost _host = null!;
    private SchemaRegistryClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await RegistryHost.StartAsync();
        _client = _host.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Writes_magic_byte_and_registered_id_and_a_newer_reader_resolves_the_old_writer()
    {
        var writer = AvroSchema.Parse(Schemas.UserV1);
        var serializer = AvroWireSerializer.ForTopic(_client, "users", writer);

        var message = await serializer.SerializeAsync(User(writer, "u-1", 41));

        var id = (await _client.GetLatestAsync("users-value")).Id;
        Assert.Equal(0, message[0]);
        Assert.Equal(id, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(message.AsSpan(1, 4)));
        Assert.Equal(AvroSerializer.Serialize(writer, User(writer, "u-1", 41)), message[5..]);

        using var reader = _host.CreateClient();
        var deserializer = new AvroWireDeserializer(reader, AvroSchema.Parse(Schemas.UserV2WithDefault));
        var user = Assert.IsType<GenericRecord>(await deserializer.DeserializeAsync(message));
        Assert.Equal(("u-1", 41, (object?)null), ((string)user["id"]!, (int)user["age"]!, user["email"]));
    }

    [Fact]
    public async Task Reads_as_written_without_a_reader_schema()
    {
        var writer = AvroSchema.Parse(Schemas.Status);
        var message = await new AvroWireSerializer(_client, "status-value", writer).SerializeAsync("DONE");

        var value = await new AvroWireDeserializer(_client).DeserializeAsync(message);

        Assert.Equal("DONE", Assert.IsType<GenericEnum>(value).Symbol);
    }

    [Fact]
    public async Task Without_auto_register_an_unregistered_schema_fails_with_the_registry_error()
    {
        var serializer = AvroWireSerializer.ForTopic(_client, "users", AvroSchema.Parse(Schemas.UserV1), autoRegister: false);

        var error = await Assert.ThrowsAsync<SchemaRegistryException>(async () => await serializer.SerializeAsync(null));

        Assert.Equal((HttpStatusCode.NotFound, SchemaRegistryErrorCodes.SubjectNotFound), (error.StatusCode, error.ErrorCode));
    }

    [Fact]
    public async Task Without_auto_register_uses_the_id_already_registered()
    {
        var writer = AvroSchema.Parse(Schemas.UserV1);
        var id = await _client.RegisterAsync("users-value", Schemas.UserV1);
        using var fresh = _host.CreateClient();

        var message = await AvroWireSerializer.ForTopic(fresh, "users", writer, autoRegister: false).SerializeAsync(User(writer, "u", 1));

        Assert.Equal(id, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(message.AsSpan(1, 4)));
    }

    [Fact]
    public async Task Serializer_keeps_its_schema_id_when_the_registry_goes_away()
    {
        var writer = AvroSchema.Parse(Schemas.UserV1);
        var serializer = AvroWireSerializer.ForTopic(_client, "users", writer);
        var first = await serializer.SerializeAsync(User(writer, "a", 1));

        await _host.DisposeAsync();
        _host = await RegistryHost.StartAsync();

        var second = await serializer.SerializeAsync(User(writer, "a", 1));
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Rejects_bytes_that_are_not_in_the_wire_format()
    {
        var deserializer = new AvroWireDeserializer(_client);

        await Assert.ThrowsAsync<InvalidDataException>(async () => await deserializer.DeserializeAsync(new byte[] { 1, 0, 0, 0, 1, 2 }));
        await Assert.ThrowsAsync<InvalidDataException>(async () => await deserializer.DeserializeAsync(new byte[] { 0, 0 }));
    }

    [Fact]
    public async Task Unknown_writer_schema_id_is_40403()
    {
        var deserializer = new AvroWireDeserializer(_client);

        var error = await Assert.ThrowsAsync<SchemaRegistryException>(
            async () => await deserializer.DeserializeAsync(ConfluentWireFormat.Write(77, [2, 0x61])));

        Assert.Equal(SchemaRegistryErrorCodes.SchemaNotFound, error.ErrorCode);
    }

    private static GenericRecord User(AvroSchema schema, string id, int age)
    {
        var user = new GenericRecord((RecordSchema)schema);
        user["id"] = id;
        user["age"] = age;
        return user;
    }
}
