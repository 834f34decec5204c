using Avro;
using Streaming.SchemaRegistry.Server;

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
            statusId = await client.RegisterAsync("status-value", Schemas.Status);
            userId = await client.RegisterAsync("users-value", Schemas.UserV1);
            userV2Id = await client.RegisterAsync("users-value", Schemas.UserV2WithDefault);
            await client.SetCompatibilityAsync(CompatibilityLevel.None, "status-value");
            await client.SetCompatibilityAsync(CompatibilityLevel.Full);
            await client.DeleteSubjectAsync("status-value");
        }

        using (var store = new SqliteSchemaStore(path))
        {
            await using var host = await RegistryHost.StartAsync(store);
            using var client = host.CreateClient();

            Assert.Equal(SchemaNormalization.ToParsingForm(global::Avro.Schema.Parse(Schemas.Status)), SchemaNormalization.ToParsingForm(await client.GetSchemaByIdAsync(statusId)));
            Assert.Equal(SchemaNormalization.ToParsingForm(global::Avro.Schema.Parse(Schemas.UserV1)), SchemaNormalization.ToParsingForm(await client.GetSchemaByIdAsync(userId)));
            var latest = await client.GetLatestAsync("users-value");
            Assert.Equal((userV2Id, 2), (latest.Id, latest.Version));
            Assert.Equal(["users-value"], await client.GetSubjectsAsync());
            Assert.Equal(CompatibilityLevel.Full, await client.GetCompatibilityAsync());
            Assert.Equal(CompatibilityLevel.None, await client.GetCompatibilityAsync("status-value"));

            // New schemas continue the id sequence, and known ones keep theirs under a new subject.
            Assert.Equal(userId, await client.RegisterAsync("copy-value", Schemas.UserV1));
            Assert.True(await client.RegisterAsync("status-value", Schemas.StatusWithoutDone) > userV2Id);
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
            id = await client.RegisterAsync("users-value", Schemas.UserV1);
        }

        await using (var host = await RegistryHost.StartAsync(configure: o => o.StorePath = path))
        {
            using var client = host.CreateClient();
            Assert.Equal(id, (await client.GetLatestAsync("users-value")).Id);
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
}
