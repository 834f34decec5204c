using System.Net;
using Avro;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using ConfluentRegistryException = Confluent.SchemaRegistry.SchemaRegistryException;
using RegistrySchema = Confluent.SchemaRegistry.Schema;

namespace Streaming.SchemaRegistry.Tests;

/// <summary>
/// The endpoint's registry semantics (ids, versions, error codes, compatibility levels, soft deletes) as Confluent's
/// own CachedSchemaRegistryClient sees them, on a real Kestrel server, one fresh registry per test. What that client
/// cannot ask is asked over HTTP, here and in <see cref="RegistryEndpointHttpTests"/>.
/// </summary>
public sealed class RegistryEndpointTests : IAsyncLifetime
{
    private RegistryHost _host = null!;
    private CachedSchemaRegistryClient _client = null!;

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
    public async Task Registers_then_fetches_by_id_latest_version_and_lookup()
    {
        var subject = SubjectNames.TopicValue("users");

        var id = await _client.RegisterSchemaAsync(subject, AvroSchema(Schemas.UserV1));

        // A second client, so every answer below comes from the registry and not from the first client's caches.
        using var reader = _host.CreateClient();
        var byId = await reader.GetSchemaAsync(id);
        Assert.Equal(SchemaType.Avro, byId.SchemaType);
        Assert.Equal(ParsingForm(Schemas.UserV1), ParsingForm(byId.SchemaString));
        using (var other = _host.CreateClient())
        {
            Assert.Equal(byId.SchemaString, (await other.GetSchemaBySubjectAndIdAsync(subject, id)).SchemaString);
        }

        var latest = await reader.GetLatestSchemaAsync(subject);
        Assert.Equal((subject, id, 1), (latest.Subject, latest.Id, latest.Version));
        Assert.Equal(byId.SchemaString, latest.SchemaString);

        var version = await reader.GetRegisteredSchemaAsync(subject, 1);
        Assert.Equal((subject, id, 1), (version.Subject, version.Id, version.Version));

        var lookedUp = await reader.LookupSchemaAsync(subject, AvroSchema(Schemas.UserV1), ignoreDeletedSchemas: true);
        Assert.Equal((subject, id, 1), (lookedUp.Subject, lookedUp.Id, lookedUp.Version));

        Assert.Equal([subject], await reader.GetAllSubjectsAsync());
        Assert.Equal([1], await reader.GetSubjectVersionsAsync(subject));
    }

    [Fact]
    public async Task Same_schema_twice_gets_the_same_id_and_no_new_version()
    {
        var first = await _client.RegisterSchemaAsync("s-value", AvroSchema(Schemas.UserV1));

        // A fresh client, so the answer comes from the registry and not from the client's cache;
        // the same schema spelled differently is still the same schema.
        using var other = _host.CreateClient();
        var respelled = Schemas.UserV1.Replace("\n", " ", StringComparison.Ordinal).Replace("  ", "", StringComparison.Ordinal);
        Assert.NotEqual(Schemas.UserV1, respelled);
        var second = await other.RegisterSchemaAsync("s-value", AvroSchema(respelled));

        Assert.Equal(first, second);
        Assert.Equal([1], await _client.GetSubjectVersionsAsync("s-value"));
    }

    [Fact]
    public async Task Same_schema_under_two_subjects_gets_one_global_id_and_a_version_in_each()
    {
        var a = await _client.RegisterSchemaAsync("a-value", AvroSchema(Schemas.UserV1));
        var status = await _client.RegisterSchemaAsync("b-value", AvroSchema(Schemas.Status));
        var d = await _client.RegisterSchemaAsync("d-value", AvroSchema(Schemas.UserV1));

        Assert.Equal(a, d);
        Assert.NotEqual(a, status);
        Assert.Equal(1, (await _client.GetLatestSchemaAsync("d-value")).Version);
        Assert.Equal(["a-value", "b-value", "d-value"], (await _client.GetAllSubjectsAsync()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_schema_make_one_version()
    {
        var clients = Enumerable.Range(0, 8).Select(_ => _host.CreateClient()).ToList();

        var ids = await Task.WhenAll(clients.Select(c => c.RegisterSchemaAsync("users-value", AvroSchema(Schemas.UserV1))));

        Assert.Single(ids.Distinct());
        Assert.Equal([1], await _client.GetSubjectVersionsAsync("users-value"));
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task Accepts_a_new_version_that_adds_a_field_with_a_default()
    {
        var v1 = await _client.RegisterSchemaAsync("users-value", AvroSchema(Schemas.UserV1));
        var v2 = await _client.RegisterSchemaAsync("users-value", AvroSchema(Schemas.UserV2WithDefault));

        Assert.NotEqual(v1, v2);
        Assert.Equal(v2, (await _client.GetRegisteredSchemaAsync("users-value", 2)).Id);
        Assert.Equal(v2, (await _client.GetLatestSchemaAsync("users-value")).Id);
        Assert.Equal([1, 2], await _client.GetSubjectVersionsAsync("users-value"));
    }

    [Fact]
    public async Task Rejects_a_field_added_without_a_default_with_409_under_BACKWARD()
    {
        await _client.RegisterSchemaAsync("users-value", AvroSchema(Schemas.UserV1));

        var error = await Assert.ThrowsAsync<ConfluentRegistryException>(() => _client.RegisterSchemaAsync("users-value", AvroSchema(Schemas.UserV2WithoutDefault)));

        Assert.Equal((HttpStatusCode.Conflict, SchemaRegistryErrorCodes.IncompatibleSchema), (error.Status, error.ErrorCode));
        Assert.Contains("incompatible", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal([1], await _client.GetSubjectVersionsAsync("users-value"));
    }

    [Fact]
    public async Task Rejects_a_removed_enum_symbol_with_409_under_BACKWARD()
    {
        await _client.RegisterSchemaAsync("status-value", AvroSchema(Schemas.Status));

        var error = await Assert.ThrowsAsync<ConfluentRegistryException>(() => _client.RegisterSchemaAsync("status-value", AvroSchema(Schemas.StatusWithoutDone)));

        Assert.Equal(SchemaRegistryErrorCodes.IncompatibleSchema, error.ErrorCode);
    }

    [Fact]
    public async Task Compatibility_NONE_on_the_subject_allows_the_incompatible_schema()
    {
        await _client.RegisterSchemaAsync("users-value", AvroSchema(Schemas.UserV1));

        Assert.Equal(Compatibility.None, await _client.UpdateCompatibilityAsync(Compatibility.None, "users-value"));
        Assert.Equal(Compatibility.None, await _client.GetCompatibilityAsync("users-value"));
        Assert.Equal(Compatibility.Backward, await _client.GetCompatibilityAsync());
        Assert.True(await _client.IsCompatibleAsync("users-value", AvroSchema(Schemas.UserV2WithoutDefault)));
        await _client.RegisterSchemaAsync("users-value", AvroSchema(Schemas.UserV2WithoutDefault));

        Assert.Equal(2, (await _client.GetRegisteredSchemaAsync("users-value", 2)).Version);
    }

    [Fact]
    public async Task Global_compatibility_applies_to_subjects_without_their_own()
    {
        Assert.Equal(Compatibility.Forward, await _client.UpdateCompatibilityAsync(Compatibility.Forward));
        await _client.RegisterSchemaAsync("users-value", AvroSchema(Schemas.UserV2WithoutDefault));

        Assert.Equal(Compatibility.Forward, await _client.GetCompatibilityAsync());
        // The subject has no level of its own: Confluent's client asks without defaultToGlobal, and current registries answer 40408.
        var unset = await Assert.ThrowsAsync<ConfluentRegistryException>(() => _client.GetCompatibilityAsync("users-value"));
        Assert.Equal((HttpStatusCode.NotFound, SchemaRegistryErrorCodes.SubjectCompatibilityNotConfigured), (unset.Status, unset.ErrorCode));
        // FORWARD: old readers must read new data; dropping the required field breaks them.
        Assert.False(await _client.IsCompatibleAsync("users-value", AvroSchema(Schemas.UserV1)));
        var error = await Assert.ThrowsAsync<ConfluentRegistryException>(() => _client.RegisterSchemaAsync("users-value", AvroSchema(Schemas.UserV1)));
        Assert.Equal(SchemaRegistryErrorCodes.IncompatibleSchema, error.ErrorCode);
        Assert.Contains("FORWARD", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tests_compatibility_against_the_latest_version_without_registering()
    {
        await _client.RegisterSchemaAsync("users-value", AvroSchema(Schemas.UserV1));

        Assert.True(await _client.IsCompatibleAsync("users-value", AvroSchema(Schemas.UserV2WithDefault)));
        Assert.False(await _client.IsCompatibleAsync("users-value", AvroSchema(Schemas.UserV2WithoutDefault)));

        Assert.Equal([1], await _client.GetSubjectVersionsAsync("users-value"));
    }

    [Fact]
    public async Task Rejects_an_invalid_schema_with_42201()
    {
        var error = await Assert.ThrowsAsync<ConfluentRegistryException>(() => _client.RegisterSchemaAsync("users-value", AvroSchema(Schemas.Invalid)));

        Assert.Equal((HttpStatusCode.UnprocessableEntity, SchemaRegistryErrorCodes.InvalidSchema), (error.Status, error.ErrorCode));
        Assert.Empty(await _client.GetAllSubjectsAsync());
    }

    [Fact]
    public async Task Unknown_subject_is_40401_unknown_version_40402_bad_version_42202_unknown_schema_40403()
    {
        var subject = await Assert.ThrowsAsync<ConfluentRegistryException>(() => _client.GetLatestSchemaAsync("nobody-value"));
        Assert.Equal((HttpStatusCode.NotFound, SchemaRegistryErrorCodes.SubjectNotFound), (subject.Status, subject.ErrorCode));
        var versions = await Assert.ThrowsAsync<ConfluentRegistryException>(() => _client.GetSubjectVersionsAsync("nobody-value"));
        Assert.Equal(SchemaRegistryErrorCodes.SubjectNotFound, versions.ErrorCode);

        await _client.RegisterSchemaAsync("users-value", AvroSchema(Schemas.UserV1));
        var version = await Assert.ThrowsAsync<ConfluentRegistryException>(() => _client.GetRegisteredSchemaAsync("users-value", 7));
        Assert.Equal((HttpStatusCode.NotFound, SchemaRegistryErrorCodes.VersionNotFound), (version.Status, version.ErrorCode));

        var invalid = await Assert.ThrowsAsync<ConfluentRegistryException>(() => _client.GetRegisteredSchemaAsync("users-value", 0));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, SchemaRegistryErrorCodes.InvalidVersion), (invalid.Status, invalid.ErrorCode));

        var lookup = await Assert.ThrowsAsync<ConfluentRegistryException>(() => _client.LookupSchemaAsync("users-value", AvroSchema(Schemas.Status), ignoreDeletedSchemas: true));
        Assert.Equal((HttpStatusCode.NotFound, SchemaRegistryErrorCodes.SchemaNotFound), (lookup.Status, lookup.ErrorCode));
    }

    [Fact]
    public async Task Unknown_schema_id_is_40403_to_the_client_and_to_its_deserializer()
    {
        var error = await Assert.ThrowsAsync<ConfluentRegistryException>(() => _client.GetSchemaAsync(4242));

        Assert.Equal((HttpStatusCode.NotFound, SchemaRegistryErrorCodes.SchemaNotFound), (error.Status, error.ErrorCode));

        // A record framed with an id the registry never gave (999): what the status projection dead-letters.
        var context = new SerializationContext(MessageComponentType.Value, "users");
        var unknown = await Assert.ThrowsAsync<ConfluentRegistryException>(() =>
            new AvroDeserializer<GenericRecord>(_client).DeserializeAsync(new byte[] { 0, 0, 0, 3, 231, 2 }, isNull: false, context));
        Assert.Equal((HttpStatusCode.NotFound, SchemaRegistryErrorCodes.SchemaNotFound), (unknown.Status, unknown.ErrorCode));
    }

    [Fact]
    public async Task Soft_deleted_subject_disappears_but_its_ids_stay_resolvable()
    {
        var id = await _client.RegisterSchemaAsync("users-value", AvroSchema(Schemas.UserV1));
        await _client.RegisterSchemaAsync("users-value", AvroSchema(Schemas.UserV2WithDefault));

        Assert.Equal([1, 2], await _host.DeleteSubjectAsync("users-value"));

        using var fresh = _host.CreateClient();
        Assert.Empty(await fresh.GetAllSubjectsAsync());
        var gone = await Assert.ThrowsAsync<ConfluentRegistryException>(() => fresh.GetSubjectVersionsAsync("users-value"));
        Assert.Equal(SchemaRegistryErrorCodes.SubjectNotFound, gone.ErrorCode);
        Assert.Equal(ParsingForm(Schemas.UserV1), ParsingForm((await fresh.GetSchemaAsync(id)).SchemaString));
        var hidden = await Assert.ThrowsAsync<ConfluentRegistryException>(() =>
            fresh.LookupSchemaAsync("users-value", AvroSchema(Schemas.UserV1), ignoreDeletedSchemas: true));
        Assert.Equal(HttpStatusCode.NotFound, hidden.Status);

        // Registering again after the delete reuses the old id but makes a new version, and is not checked against deleted versions.
        Assert.Equal(id, await fresh.RegisterSchemaAsync("users-value", AvroSchema(Schemas.UserV1)));
        var latest = await fresh.GetLatestSchemaAsync("users-value");
        Assert.Equal((id, 3), (latest.Id, latest.Version));
        Assert.Equal([3], await fresh.GetSubjectVersionsAsync("users-value"));
    }

    [Fact]
    public async Task Sends_basic_auth_when_configured()
    {
        await using var secured = await RegistryHost.StartAsync(requiredBasicAuth: "alice:s3cret");
        using var anonymous = secured.CreateClient();
        using var authorized = secured.CreateClient(o => o.BasicAuthUserInfo = "alice:s3cret");

        var denied = await Assert.ThrowsAsync<ConfluentRegistryException>(() => anonymous.GetAllSubjectsAsync());
        Assert.Equal((HttpStatusCode.Unauthorized, 401), (denied.Status, denied.ErrorCode));
        Assert.Empty(await authorized.GetAllSubjectsAsync());
        Assert.True(await authorized.RegisterSchemaAsync("users-value", AvroSchema(Schemas.UserV1)) > 0);
    }

    [Fact]
    public async Task Subjects_with_a_slash_round_trip()
    {
        var id = await _client.RegisterSchemaAsync("team/users-value", AvroSchema(Schemas.UserV1));

        using var reader = _host.CreateClient();
        Assert.Equal(id, (await reader.GetLatestSchemaAsync("team/users-value")).Id);
        Assert.Equal(id, (await reader.LookupSchemaAsync("team/users-value", AvroSchema(Schemas.UserV1), ignoreDeletedSchemas: true)).Id);
        Assert.Equal([1], await reader.GetSubjectVersionsAsync("team/users-value"));
        Assert.Equal(Compatibility.Full, await reader.UpdateCompatibilityAsync(Compatibility.Full, "team/users-value"));
        Assert.Equal(Compatibility.Full, await reader.GetCompatibilityAsync("team/users-value"));
        Assert.Equal(["team/users-value"], await reader.GetAllSubjectsAsync());
    }

    private static RegistrySchema AvroSchema(string json) => new(json, SchemaType.Avro);

    private static string ParsingForm(string schemaJson) => SchemaNormalization.ToParsingForm(global::Avro.Schema.Parse(schemaJson));
}
