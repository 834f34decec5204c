using Avro;
using Confluent.SchemaRegistry;
using Streaming.SchemaRegistry.Server;
using RegistrySchema = Confluent.SchemaRegistry.Schema;

namespace Streaming.SchemaRegistry.Tests;

/// <summary>The SQLite store keeps the embedded registry's ids, versions and config across restarts.</summary>
public sealed class SqliteSchemaStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sr-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Survives_a_restart_with_the_same_ids_versions_and_config()
    {
        var path = Path.Combine(_directory, "nested", "registry.db");
        int statusId, userId, userV2Id;

        using (var store = new SqliteSchemaStore(path))
        {
            await using var host = await RegistryHost.StartAsync(store);
            using var client = host.CreateClient();
            statusId = await client.RegisterSchemaAsync("status-value", AvroSchema(Schemas.Status));
            userId = await client.RegisterSchemaAsync("users-value", AvroSchema(Schemas.UserV1));
            userV2Id = await client.RegisterSchemaAsync("users-value", AvroSchema(Schemas.UserV2WithDefault));
            await client.UpdateCompatibilityAsync(Compatibility.None, "status-value");
            await client.UpdateCompatibilityAsync(Compatibility.Full);
            await host.DeleteSubjectAsync("status-value");
        }

        using (var store = new SqliteSchemaStore(path))
        {
            await using var host = await RegistryHost.StartAsync(store);
            using var client = host.CreateClient();

            Assert.Equal(ParsingForm(Schemas.Status), ParsingForm((await client.GetSchemaAsync(statusId)).SchemaString));
            Assert.Equal(ParsingForm(Schemas.UserV1), ParsingForm((await client.GetSchemaAsync(userId)).SchemaString));
            var latest = await client.GetLatestSchemaAsync("users-value");
            Assert.Equal((userV2Id, 2), (latest.Id, latest.Version));
            Assert.Equal(["users-value"], await client.GetAllSubjectsAsync());
            Assert.Equal(Compatibility.Full, await client.GetCompatibilityAsync());
            Assert.Equal(Compatibility.None, await client.GetCompatibilityAsync("status-value"));

            // New schemas continue the id sequence, and known ones keep theirs under a new subject.
            Assert.Equal(userId, await client.RegisterSchemaAsync("copy-value", AvroSchema(Schemas.UserV1)));
            Assert.True(await client.RegisterSchemaAsync("status-value", AvroSchema(Schemas.StatusWithoutDone)) > userV2Id);
        }
    }

    [Fact]
    public async Task AddSchemaRegistry_with_a_store_path_persists_through_the_container()
    {
        var path = Path.Combine(_directory, "configured.db");
        int id;
        await using (var host = await RegistryHost.StartAsync(configure: o => o.StorePath = path))
        {
            using var client = host.CreateClient();
            id = await client.RegisterSchemaAsync("users-value", AvroSchema(Schemas.UserV1));
        }

        await using (var host = await RegistryHost.StartAsync(configure: o => o.StorePath = path))
        {
            using var client = host.CreateClient();
            Assert.Equal(id, (await client.GetLatestSchemaAsync("users-value")).Id);
        }
    }

    [Fact]
    public async Task Assigns_one_id_per_distinct_schema_and_versions_per_subject()
    {
        using var store = new SqliteSchemaStore(Path.Combine(_directory, "r.db"));

        var a1 = await store.AddVersionAsync("a", "s1", "n1", default);
        var a2 = await store.AddVersionAsync("a", "s2", "n2", default);
        var b1 = await store.AddVersionAsync("b", "s1", "n1", default);
        await store.SoftDeleteAsync("a", [2], default);
        var a3 = await store.AddVersionAsync("a", "s2", "n2", default);

        Assert.Equal((1, 1), (a1.SchemaId, a1.Version));
        Assert.Equal((2, 2), (a2.SchemaId, a2.Version));
        Assert.Equal((1, 1), (b1.SchemaId, b1.Version));
        Assert.Equal((2, 3), (a3.SchemaId, a3.Version));
        Assert.Equal([false, true, false], (await store.GetVersionsAsync("a", default)).Select(v => v.Deleted));
        Assert.Equal(["a", "b"], await store.GetSubjectsAsync(includeDeleted: false, default));
    }

    private static RegistrySchema AvroSchema(string json) => new(json, SchemaType.Avro);

    private static string ParsingForm(string schemaJson) => SchemaNormalization.ToParsingForm(global::Avro.Schema.Parse(schemaJson));
}
