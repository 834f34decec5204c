using System.Net;
using Avro;

namespace Streaming.SchemaRegistry.Tests;

/// <summary>Our client against our endpoint on a real Kestrel server, one fresh registry per test.</summary>
public sealed class SchemaRegistryClientTests : IAsyncLifetime
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
    public async Task Registers_then_fetches_by_id_latest_and_lookup()
    {
        var subject = SubjectNames.TopicValue("users");

        var id = await _client.RegisterAsync(subject, Schemas.UserV1);

        var byId = await _client.GetSchemaByIdAsync(id);
        Assert.Equal(SchemaNormalization.ToParsingForm(global::Avro.Schema.Parse(Schemas.UserV1)), SchemaNormalization.ToParsingForm(byId));

        var latest = await _client.GetLatestAsync(subject);
        Assert.Equal((subject, id, 1), (latest.Subject, latest.Id, latest.Version));
        Assert.Equal(SchemaNormalization.ToParsingForm(byId), SchemaNormalization.ToParsingForm(global::Avro.Schema.Parse(latest.Schema)));

        var lookedUp = await _client.LookupAsync(subject, Schemas.UserV1);
        Assert.Equal((subject, id, 1), (lookedUp.Subject, lookedUp.Id, lookedUp.Version));

        Assert.Equal([subject], await _client.GetSubjectsAsync());
        Assert.Equal([1], await _client.GetVersionsAsync(subject));
    }

    [Fact]
    public async Task Same_schema_twice_gets_the_same_id_and_no_new_version()
    {
        var first = await _client.RegisterAsync("s-value", Schemas.UserV1);

        // A fresh client, so the answer comes from the registry and not from the client's cache;
        // the same schema spelled differently is still the same schema.
        using var other = _host.CreateClient();
        var second = await other.RegisterAsync("s-value", Schemas.UserV1.Replace("\n", " ", StringComparison.Ordinal).Replace("  ", "", StringComparison.Ordinal));

        Assert.Equal(first, second);
        Assert.Equal([1], await _client.GetVersionsAsync("s-value"));
    }

    [Fact]
    public async Task Same_schema_under_two_subjects_gets_one_global_id_and_a_version_in_each()
    {
        var a = await _client.RegisterAsync("a-value", Schemas.UserV1);
        var status = await _client.RegisterAsync("b-value", Schemas.Status);
        var d = await _client.RegisterAsync("d-value", Schemas.UserV1);

        Assert.Equal(a, d);
        Assert.NotEqual(a, status);
        Assert.Equal(1, (await _client.GetLatestAsync("d-value")).Version);
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_schema_make_one_version()
    {
        var clients = Enumerable.Range(0, 8).Select(_ => _host.CreateClient()).ToList();

        var ids = await Task.WhenAll(clients.Select(c => c.RegisterAsync("users-value", Schemas.UserV1)));

        Assert.Single(ids.Distinct());
        Assert.Equal([1], await _client.GetVersionsAsync("users-value"));
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task Accepts_a_new_version_that_adds_a_field_with_a_default()
    {
        var v1 = await _client.RegisterAsync("users-value", Schemas.UserV1);
        var v2 = await _client.RegisterAsync("users-value", Schemas.UserV2WithDefault);

        Assert.NotEqual(v1, v2);
        var latest = await _client.GetVersionAsync("users-value", 2);
        Assert.Equal(v2, latest.Id);
        Assert.Equal([1, 2], await _client.GetVersionsAsync("users-value"));
    }

    [Fact]
    public async Task Rejects_a_field_added_without_a_default_with_409_under_BACKWARD()
    {
        await _client.RegisterAsync("users-value", Schemas.UserV1);

        var error = await Assert.ThrowsAsync<SchemaRegistryException>(() => _client.RegisterAsync("users-value", Schemas.UserV2WithoutDefault));

        Assert.Equal(HttpStatusCode.Conflict, error.StatusCode);
        Assert.Equal(SchemaRegistryErrorCodes.IncompatibleSchema, error.ErrorCode);
        Assert.Contains("incompatible", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal([1], await _client.GetVersionsAsync("users-value"));
    }

    [Fact]
    public async Task Rejects_a_removed_enum_symbol_with_409_under_BACKWARD()
    {
        await _client.RegisterAsync("status-value", Schemas.Status);

        var error = await Assert.ThrowsAsync<SchemaRegistryException>(() => _client.RegisterAsync("status-value", Schemas.StatusWithoutDone));

        Assert.Equal(SchemaRegistryErrorCodes.IncompatibleSchema, error.ErrorCode);
    }

    [Fact]
    public async Task Compatibility_NONE_on_the_subject_allows_the_incompatible_schema()
    {
        await _client.RegisterAsync("users-value", Schemas.UserV1);

        Assert.Equal(CompatibilityLevel.None, await _client.SetCompatibilityAsync(CompatibilityLevel.None, "users-value"));
        Assert.Equal(CompatibilityLevel.None, await _client.GetCompatibilityAsync("users-value"));
        Assert.Equal(CompatibilityLevel.Backward, await _client.GetCompatibilityAsync());
        await _client.RegisterAsync("users-value", Schemas.UserV2WithoutDefault);

        Assert.Equal(2, (await _client.GetVersionAsync("users-value", 2)).Version);
    }

    [Fact]
    public async Task Global_compatibility_applies_to_subjects_without_their_own()
    {
        await _client.SetCompatibilityAsync(CompatibilityLevel.Forward);
        await _client.RegisterAsync("users-value", Schemas.UserV2WithoutDefault);

        Assert.Equal(CompatibilityLevel.Forward, await _client.GetCompatibilityAsync("users-value"));
        // FORWARD: old readers must read new data; dropping the required field breaks them.
        var error = await Assert.ThrowsAsync<SchemaRegistryException>(() => _client.RegisterAsync("users-value", Schemas.UserV1));
        Assert.Equal(SchemaRegistryErrorCodes.IncompatibleSchema, error.ErrorCode);
    }

    [Fact]
    public async Task Tests_compatibility_against_the_latest_version_and_explains_when_verbose()
    {
        await _client.RegisterAsync("users-value", Schemas.UserV1);

        Assert.True((await _client.TestCompatibilityAsync("users-value", Schemas.UserV2WithDefault)).IsCompatible);

        var bad = await _client.TestCompatibilityAsync("users-value", Schemas.UserV2WithoutDefault, verbose: true);
        Assert.False(bad.IsCompatible);
        Assert.NotEmpty(bad.Messages);

        var terse = await _client.TestCompatibilityAsync("users-value", Schemas.UserV2WithoutDefault, version: 1);
        Assert.False(terse.IsCompatible);
        Assert.Empty(terse.Messages);
        Assert.Equal([1], await _client.GetVersionsAsync("users-value"));
    }

    [Fact]
    public async Task Rejects_an_invalid_schema_with_42201()
    {
        var error = await Assert.ThrowsAsync<SchemaRegistryException>(() => _client.RegisterAsync("users-value", Schemas.Invalid));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.StatusCode);
        Assert.Equal(SchemaRegistryErrorCodes.InvalidSchema, error.ErrorCode);
    }

    [Fact]
    public async Task Unknown_subject_is_40401_unknown_version_40402_bad_version_42202()
    {
        var subject = await Assert.ThrowsAsync<SchemaRegistryException>(() => _client.GetLatestAsync("nobody-value"));
        Assert.Equal((HttpStatusCode.NotFound, SchemaRegistryErrorCodes.SubjectNotFound), (subject.StatusCode, subject.ErrorCode));

        await _client.RegisterAsync("users-value", Schemas.UserV1);
        var version = await Assert.ThrowsAsync<SchemaRegistryException>(() => _client.GetVersionAsync("users-value", 7));
        Assert.Equal(SchemaRegistryErrorCodes.VersionNotFound, version.ErrorCode);

        var invalid = await Assert.ThrowsAsync<SchemaRegistryException>(() => _client.GetVersionAsync("users-value", 0));
        Assert.Equal(SchemaRegistryErrorCodes.InvalidVersion, invalid.ErrorCode);

        var lookup = await Assert.ThrowsAsync<SchemaRegistryException>(() => _client.LookupAsync("users-value", Schemas.Status));
        Assert.Equal(SchemaRegistryErrorCodes.SchemaNotFound, lookup.ErrorCode);
    }

    [Fact]
    public async Task Unknown_schema_id_is_40403()
    {
        var error = await Assert.ThrowsAsync<SchemaRegistryException>(() => _client.GetSchemaByIdAsync(4242));

        Assert.Equal((HttpStatusCode.NotFound, SchemaRegistryErrorCodes.SchemaNotFound), (error.StatusCode, error.ErrorCode));
    }

    [Fact]
    public async Task Soft_deleted_subject_disappears_but_its_ids_stay_resolvable()
    {
        var id = await _client.RegisterAsync("users-value", Schemas.UserV1);
        await _client.RegisterAsync("users-value", Schemas.UserV2WithDefault);

        Assert.Equal([1, 2], await _client.DeleteSubjectAsync("users-value"));

        Assert.Empty(await _client.GetSubjectsAsync());
        var gone = await Assert.ThrowsAsync<SchemaRegistryException>(() => _client.GetVersionsAsync("users-value"));
        Assert.Equal(SchemaRegistryErrorCodes.SubjectNotFound, gone.ErrorCode);
        using var fresh = _host.CreateClient();
        Assert.Equal(SchemaNormalization.ToParsingForm(global::Avro.Schema.Parse(Schemas.UserV1)), SchemaNormalization.ToParsingForm(await fresh.GetSchemaByIdAsync(id)));

        // Registering again after the delete starts from the old id but a new version, and no compatibility with deleted versions.
        Assert.Equal(id, await _client.RegisterAsync("users-value", Schemas.UserV1));
        Assert.Equal(3, (await _client.GetLatestAsync("users-value")).Version);
    }

    [Fact]
    public async Task Client_cache_serves_a_schema_by_id_after_the_server_is_gone()
    {
        var id = await _client.RegisterAsync("users-value", Schemas.UserV1);
        var fetched = await _client.GetSchemaByIdAsync(id);

        await _host.DisposeAsync();
        _host = await RegistryHost.StartAsync(); // somewhere else, so DisposeAsync has something to stop

        Assert.Same(fetched, await _client.GetSchemaByIdAsync(id));
        Assert.Equal(id, await _client.RegisterAsync("users-value", Schemas.UserV1));
    }

    [Fact]
    public async Task Latest_is_cached_only_for_the_ttl()
    {
        var time = new ManualTimeProvider();
        using var client = _host.CreateClient(o => o.LatestCacheTtl = TimeSpan.FromSeconds(5), time);
        await client.RegisterAsync("users-value", Schemas.UserV1);
        Assert.Equal(1, (await client.GetLatestAsync("users-value")).Version);

        await client.RegisterAsync("users-value", Schemas.UserV2WithDefault);
        Assert.Equal(1, (await client.GetLatestAsync("users-value")).Version);

        time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(2, (await client.GetLatestAsync("users-value")).Version);
    }

    [Fact]
    public async Task Sends_basic_auth_when_configured()
    {
        await using var secured = await RegistryHost.StartAsync(requiredBasicAuth: "alice:s3cret");
        using var anonymous = secured.CreateClient();
        using var authorized = secured.CreateClient(o => o.BasicAuthUserInfo = "alice:s3cret");

        var denied = await Assert.ThrowsAsync<SchemaRegistryException>(() => anonymous.GetSubjectsAsync());
        Assert.Equal((HttpStatusCode.Unauthorized, 401), (denied.StatusCode, denied.ErrorCode));
        Assert.Empty(await authorized.GetSubjectsAsync());
    }

    [Fact]
    public async Task Subjects_with_a_slash_round_trip()
    {
        var id = await _client.RegisterAsync("team/users-value", Schemas.UserV1);

        Assert.Equal(id, (await _client.GetLatestAsync("team/users-value")).Id);
        Assert.Equal(["team/users-value"], await _client.GetSubjectsAsync());
    }

    private sealed class ManualTimeProvider : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
