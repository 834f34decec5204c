using System.Net;
using System.Net.Http.Json;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using streaming.documents.v1;
using ConfluentRegistryException = Confluent.SchemaRegistry.SchemaRegistryException;
using RegistrySchema = Confluent.SchemaRegistry.Schema;

namespace Streaming.SchemaRegistry.Tests;

/// <summary>
/// READONLY mode (Confluent's /mode): once the contracts are registered, the services' lookups and serializers keep
/// working while nothing can register, delete or change compatibility until an operator switches back.
/// </summary>
public sealed class RegistryModeTests : IAsyncLifetime
{
    private RegistryHost _host = null!;
    private HttpClient _http = null!;
    private CachedSchemaRegistryClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await RegistryHost.StartAsync();
        _http = _host.CreateHttpClient();
        _client = _host.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        _http.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Read_only_refuses_writes_with_42205_and_serves_lookups_and_serializers()
    {
        var subject = DocumentEventSchema.RegistrySubject;
        var id = await _client.RegisterSchemaAsync(subject, new RegistrySchema(DocumentEventSchema.Json, SchemaType.Avro));
        Assert.Equal("""{"mode":"READWRITE"}""", await _http.GetStringAsync(new Uri("/mode", UriKind.Relative)));

        var set = await _http.PutAsJsonAsync(new Uri("/mode", UriKind.Relative), new { mode = "READONLY" });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("""{"mode":"READONLY"}""", await _http.GetStringAsync(new Uri("/mode", UriKind.Relative)));

        // What the services do: look the contract up and write with it.
        using var fresh = _host.CreateClient();
        Assert.Equal(id, (await fresh.LookupSchemaAsync(subject, new RegistrySchema(DocumentEventSchema.Json, SchemaType.Avro), ignoreDeletedSchemas: true)).Id);
        var serializer = new AvroSerializer<DocumentEvent>(fresh, new AvroSerializerConfig { AutoRegisterSchemas = false });
        var bytes = await serializer.SerializeAsync(ConfluentClientTests.Sample(), new SerializationContext(MessageComponentType.Value, "documents.events.v1"));
        Assert.Equal(id, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1, 4)));
        Assert.True(await fresh.IsCompatibleAsync(subject, new RegistrySchema(DocumentEventSchema.Json, SchemaType.Avro)));

        // What nobody may do meanwhile.
        var register = await Assert.ThrowsAsync<ConfluentRegistryException>(() => fresh.RegisterSchemaAsync("other-value", new RegistrySchema(Schemas.UserV1, SchemaType.Avro)));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, SchemaRegistryErrorCodes.OperationNotPermitted), (register.Status, register.ErrorCode));
        var config = await Assert.ThrowsAsync<ConfluentRegistryException>(() => fresh.UpdateCompatibilityAsync(Compatibility.None, subject));
        Assert.Equal(SchemaRegistryErrorCodes.OperationNotPermitted, config.ErrorCode);
        var delete = await _http.DeleteAsync(new Uri($"/subjects/{subject}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, delete.StatusCode);
        Assert.Contains("READONLY", await delete.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal([subject], await fresh.GetAllSubjectsAsync());

        var invalid = await _http.PutAsJsonAsync(new Uri("/mode", UriKind.Relative), new { mode = "IMPORT" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        Assert.Contains("42204", await invalid.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await _http.PutAsJsonAsync(new Uri("/mode", UriKind.Relative), new { mode = "READWRITE" });
        Assert.True(await fresh.RegisterSchemaAsync("other-value", new RegistrySchema(Schemas.UserV1, SchemaType.Avro)) > 0);
    }

    [Fact]
    public async Task A_registry_configured_read_only_refuses_registration_from_the_start()
    {
        await using var host = await RegistryHost.StartAsync(configure: o => o.ReadOnly = true);
        using var client = host.CreateClient();

        var error = await Assert.ThrowsAsync<ConfluentRegistryException>(() => client.RegisterSchemaAsync("users-value", new RegistrySchema(Schemas.UserV1, SchemaType.Avro)));

        Assert.Equal(SchemaRegistryErrorCodes.OperationNotPermitted, error.ErrorCode);
    }
}
