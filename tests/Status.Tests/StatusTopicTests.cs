using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Streaming.Contracts.Status.V1;
using Streaming.Kafka;
using Streaming.SchemaRegistry;
using Streaming.Status.Projection;
using Streaming.Status.Publishing;
using Streaming.Status.Tests.Support;
using Streaming.Testing;
using Snapshot = streaming.documents.status.v1.DocumentStatus;

namespace Streaming.Status.Tests;

/// <summary>
/// documents.status.v1: what a subscriber reads there equals what the status API answers, also after out-of-order
/// delivery, duplicates, a crash between the store commit and the produce, and a replica taking over.
/// </summary>
public sealed class StatusTopicTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task After_out_of_order_delivery_and_a_duplicate_the_compacted_topic_holds_the_grpc_state_of_every_document()
    {
        using var setup = StatusSetup.Create(partitions: 3);
        await using var host = await StatusHost.StartAsync(setup);
        using var producer = new EventProducer(setup.Topic, await TestRegistry.UrlAsync());
        var documents = Enumerable.Range(0, 6).Select(i => Lifecycle.SevenEvents($"snap-{i}")).ToList();
        // Each document's events in another order (the reversal before the approval it reverses, the link sent last),
        // and one provider retry of an event already applied.
        var delivered = documents.SelectMany((d, i) => Lifecycle.Permutations(d).Skip(i * 977).First()).ToList();
        delivered.Add(documents[2][5]);
        await producer.ProduceAsync(delivered);

        var records = await EventuallyCompacted(setup, documents.ToDictionary(d => d[0].DocumentToken, d => (long)d.Count));
        var compacted = SnapshotReader.Compacted(records);
        foreach (var document in documents)
        {
            var state = await host.Client.GetDocumentStatusAsync(new GetDocumentStatusRequest { DocumentToken = document[0].DocumentToken });
            AssertSameState(state, compacted[document[0].DocumentToken]!);
            Assert.Equal(DocumentStatus.Rejected, state.Status);
        }

        // A subscriber following the topic never sees a version go back (one replica, no crash: each key's versions grow).
        foreach (var key in records.GroupBy(r => r.Key))
        {
            var versions = key.OrderBy(r => r.Offset).Select(r => r.Value!.Version).ToList();
            Assert.Equal(versions.Order(), versions);
        }

        Assert.Equal(1, host.Loop.Duplicates);
    }

    [Fact]
    public async Task A_crash_between_the_store_commit_and_the_produce_loses_no_snapshot()
    {
        using var setup = StatusSetup.Create(partitions: 2);
        using var producer = new EventProducer(setup.Topic, await TestRegistry.UrlAsync());
        var documents = Enumerable.Range(0, 8).Select(i => Lifecycle.FiveEvents($"crash-snap-{i}")).ToList();
        await producer.ProduceAsync(documents.SelectMany(d => d.Take(3)));

        // The first batch commits, then the process dies before producing anything.
        await using (var crashing = await StatusHost.StartAsync(setup, crashAfterCommit: batch => batch == 1))
        {
            await Eventually.True(() => !crashing.Loop.Running, Wait, "the simulated crash");
            Assert.Equal(0, crashing.Snapshots.Produced);
        }

        var committed = await CommittedCountsAsync(setup, documents);
        Assert.NotEmpty(committed);
        Assert.Empty(await SnapshotReader.ReadAllAsync(setup.SnapshotTopic));

        // The restart never re-reads the committed batch (the store holds its offsets): only the outbox can bring
        // those documents' snapshots back.
        await using (var restarted = await StatusHost.StartAsync(setup))
        {
            var all = documents.ToDictionary(d => d[0].DocumentToken, _ => 3L);
            var records = await EventuallyCompacted(setup, all);
            Assert.Equal(0, restarted.Loop.Duplicates);
            Assert.All(committed, c => Assert.Contains(records, r => r.Key == c.Key && r.Value!.Version == c.Value));
            await AssertTopicEqualsApiAsync(restarted, SnapshotReader.Compacted(records), documents);

            await producer.ProduceAsync(documents.SelectMany(d => d.Skip(3)));
            records = await EventuallyCompacted(setup, documents.ToDictionary(d => d[0].DocumentToken, _ => 5L));
            await AssertTopicEqualsApiAsync(restarted, SnapshotReader.Compacted(records), documents);
            await Eventually.True(async () => (await restarted.Store.ReadUnpublishedAsync([0, 1], CancellationToken.None)).Count == 0, Wait,
                "the outbox to empty once Kafka acknowledged every snapshot");
        }
    }

    [Fact]
    public async Task Replicas_on_PostgreSQL_publish_what_a_crashed_replica_committed_but_never_produced()
    {
        await using var database = await TestPostgres.CreateAsync();
        using var setup = StatusSetup.Create(partitions: 4, connectionString: database.ConnectionString);
        await using var a = await StatusHost.StartAsync(setup, instanceId: "replica-a", crashAfterCommit: batch => batch == 1);
        await using var b = await StatusHost.StartAsync(setup, instanceId: "replica-b");
        await Eventually.True(() => a.Loop.AssignedPartitions > 0 && b.Loop.AssignedPartitions > 0 && a.Loop.AssignedPartitions + b.Loop.AssignedPartitions == 4,
            Wait, "both replicas to share the partitions");

        using var producer = new EventProducer(setup.Topic, await TestRegistry.UrlAsync());
        var documents = Enumerable.Range(0, 16).Select(i => Lifecycle.FiveEvents($"replica-snap-{i}")).ToList();
        await producer.ProduceAsync(documents.SelectMany(d => d));

        // Replica a commits its first batch and dies; b takes its partitions over and produces a's committed states.
        await Eventually.True(() => !a.Loop.Running, Wait, "replica a's simulated crash");
        Assert.Equal(0, a.Snapshots.Produced);
        var records = await EventuallyCompacted(setup, documents.ToDictionary(d => d[0].DocumentToken, _ => 5L));
        await AssertTopicEqualsApiAsync(b, SnapshotReader.Compacted(records), documents);
        Assert.Equal(0, b.Loop.Duplicates);
        Assert.True(b.Loop.Applied < 80, "replica a committed nothing before crashing: the test would not prove the takeover");
    }

    [Fact]
    public async Task With_auto_registration_off_the_contract_a_deployment_step_registered_is_used()
    {
        using var setup = StatusSetup.Create(partitions: 1);
        using (var registry = new Confluent.SchemaRegistry.CachedSchemaRegistryClient(new SchemaRegistryClientOptions { Url = await TestRegistry.UrlAsync() }.ToConfluentConfig()))
        {
            // What register-schemas posts: the .avsc file's text, under <topic>-value.
            await registry.RegisterSchemaAsync(SubjectNames.TopicValue(setup.SnapshotTopic),
                new Confluent.SchemaRegistry.Schema(streaming.documents.status.v1.DocumentStatusSchema.Json, Confluent.SchemaRegistry.SchemaType.Avro));
        }

        await using var host = await StatusHost.StartAsync(setup, new Dictionary<string, string?> { ["Status:AutoRegisterSchemas"] = "false" });
        using var producer = new EventProducer(setup.Topic, await TestRegistry.UrlAsync());
        var document = Lifecycle.FiveEvents("registered-doc");
        await producer.ProduceAsync(document);

        var records = await EventuallyCompacted(setup, new Dictionary<string, long> { ["registered-doc"] = 5 });
        await AssertTopicEqualsApiAsync(host, SnapshotReader.Compacted(records), [document]);
        Assert.Equal(0, host.Snapshots.Failed);
    }

    [Fact]
    public async Task Without_the_registered_contract_and_with_auto_registration_off_the_service_refuses_to_start_and_says_why()
    {
        var kafka = new KafkaConnection(Options.Create(new KafkaOptions { BootstrapServers = TestKafka.BootstrapServers }), NullLogger<KafkaConnection>.Instance);
        using var registry = new Confluent.SchemaRegistry.CachedSchemaRegistryClient(
            new SchemaRegistryClientOptions { Url = await TestRegistry.UrlAsync() }.ToConfluentConfig());
        var options = new StatusOptions { SnapshotTopic = TestKafka.UniqueTopic("unregistered-status"), AutoRegisterSchemas = false };
        using var publisher = new SnapshotPublisher(kafka, registry, null!, Options.Create(options), new ProductionEnvironment(), NullLogger<SnapshotPublisher>.Instance);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => publisher.EnsureContractAsync(CancellationToken.None));

        Assert.Contains($"{options.SnapshotTopic}-value", error.Message, StringComparison.Ordinal);
        Assert.Contains("contracts/avro/DocumentStatus.avsc", error.Message, StringComparison.Ordinal);
        Assert.Contains("Status:AutoRegisterSchemas", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Reads the topic until its last record per key has the expected version for every token.</summary>
    private static async Task<IReadOnlyList<SnapshotRecord>> EventuallyCompacted(StatusSetup setup, IReadOnlyDictionary<string, long> versions)
    {
        IReadOnlyList<SnapshotRecord> records = [];
        await Eventually.True(async () =>
        {
            records = await SnapshotReader.ReadAllAsync(setup.SnapshotTopic);
            var compacted = SnapshotReader.Compacted(records);
            return versions.All(v => compacted.TryGetValue(v.Key, out var s) && s!.Version == v.Value);
        }, Wait, "every document's latest snapshot on the status topic");
        return records;
    }

    private static async Task<Dictionary<string, long>> CommittedCountsAsync(StatusSetup setup, IEnumerable<IReadOnlyList<ProjectedEvent>> documents)
    {
        await using var store = StatusApplication.CreateStore(new StatusOptions { SqlitePath = setup.SqlitePath, ConnectionString = setup.ConnectionString });
        var counts = new Dictionary<string, long>();
        foreach (var token in documents.Select(d => d[0].DocumentToken))
        {
            if (await store.GetDocumentAsync(token, CancellationToken.None) is { } state)
            {
                counts[token] = state.EventCount;
            }
        }

        return counts;
    }

    private static async Task AssertTopicEqualsApiAsync(StatusHost host, IReadOnlyDictionary<string, Snapshot?> compacted, IEnumerable<IReadOnlyList<ProjectedEvent>> documents)
    {
        foreach (var token in documents.Select(d => d[0].DocumentToken))
        {
            AssertSameState(await host.Client.GetDocumentStatusAsync(new GetDocumentStatusRequest { DocumentToken = token }), compacted[token]!);
        }
    }

    private static void AssertSameState(DocumentState api, Snapshot topic)
    {
        Assert.Equal(api.DocumentToken, topic.DocumentToken);
        Assert.Equal(api.EventCount, topic.Version);
        Assert.Equal(api.EventCount, topic.EventCount);
        Assert.Equal((int)api.Status, (int)topic.Status);
        Assert.Equal(api.StatusChangedAt?.ToDateTime(), topic.StatusChangedAt);
        Assert.Equal(api.StatusEventId, topic.StatusEventId ?? "");
        Assert.Equal(api.Provider, topic.Provider);
        Assert.Equal(api.FirstSeenAt.ToDateTime(), topic.FirstSeenAt);
        Assert.Equal(api.UpdatedAt.ToDateTime(), topic.UpdatedAt);
        Assert.Equal(api.Test, topic.Test);
        Assert.Equal(api.LastEvent.EventId, topic.LastEvent.EventId);
        Assert.Equal(api.LastEvent.Provider, topic.LastEvent.Provider);
        Assert.Equal(api.LastEvent.ProviderEventType, topic.LastEvent.ProviderEventType);
        Assert.Equal(api.LastEvent.EventType, topic.LastEvent.EventType);
        Assert.Equal((int)api.LastEvent.Status, (int)topic.LastEvent.Status);
        Assert.Equal(api.LastEvent.OccurredAt.ToDateTime(), topic.LastEvent.OccurredAt);
        Assert.Equal(api.LastEvent.ReceivedAt.ToDateTime(), topic.LastEvent.ReceivedAt);
        Assert.Equal(api.LastEvent.Subject, topic.LastEvent.Subject);
        Assert.Equal(api.LastEvent.ProviderEventId, topic.LastEvent.ProviderEventId);
    }

    private sealed class ProductionEnvironment : Microsoft.Extensions.Hosting.IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Production";

        public string ApplicationName { get; set; } = "status";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
