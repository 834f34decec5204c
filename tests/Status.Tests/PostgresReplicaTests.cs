using Streaming.Contracts.Status.V1;
using Streaming.Status.Tests.Support;
using Streaming.Testing;

namespace Streaming.Status.Tests;

/// <summary>Two replicas sharing one PostgreSQL store and one consumer group, as in production.</summary>
public sealed class PostgresReplicaTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Replicas_apply_each_event_once_and_watchers_hear_of_changes_made_by_the_other_replica()
    {
        await using var database = await TestPostgres.CreateAsync();
        using var setup = StatusSetup.Create(partitions: 4, connectionString: database.ConnectionString);
        await using var a = await StatusHost.StartAsync(setup, instanceId: "replica-a");
        await using var b = await StatusHost.StartAsync(setup, instanceId: "replica-b");
        await Eventually.True(() => a.Loop.AssignedPartitions > 0 && b.Loop.AssignedPartitions > 0 && a.Loop.AssignedPartitions + b.Loop.AssignedPartitions == 4,
            Wait, "both replicas to share the partitions");

        using var cancel = new CancellationTokenSource(Wait);
        var seenByA = new Dictionary<string, long>();
        var watching = Task.Run(async () =>
        {
            await foreach (var change in a.Client.WatchDocumentStatusAsync(new WatchDocumentStatusRequest(), cancellationToken: cancel.Token))
            {
                lock (seenByA)
                {
                    seenByA[change.Document.DocumentToken] = Math.Max(seenByA.GetValueOrDefault(change.Document.DocumentToken), change.Document.EventCount);
                }
            }
        }, cancel.Token);
        await Eventually.True(() => a.Feed.WatcherCount == 1, Wait, "the watcher to subscribe");

        using var producer = new EventProducer(setup.Topic, await TestRegistry.UrlAsync());
        var documents = Enumerable.Range(0, 20).Select(i => Lifecycle.FiveEvents($"replica-doc-{i}")).ToList();
        await producer.ProduceAsync(documents.SelectMany(d => d));

        await Eventually.True(() => a.Loop.Applied + b.Loop.Applied >= 100, Wait, "100 events applied");
        foreach (var document in documents)
        {
            var state = await b.Client.GetDocumentStatusAsync(new GetDocumentStatusRequest { DocumentToken = document[0].DocumentToken });
            Assert.Equal(5, state.EventCount);
            Assert.Equal(DocumentStatus.Rejected, state.Status);
        }

        Assert.Equal(100, a.Loop.Applied + b.Loop.Applied);
        Assert.True(b.Loop.Applied > 0, "replica b applied nothing: the test would not prove cross-replica notifications");
        await Eventually.True(() =>
        {
            lock (seenByA)
            {
                return documents.All(d => seenByA.GetValueOrDefault(d[0].DocumentToken) == 5);
            }
        }, Wait, "the watcher on replica a to see every document's final state, including those replica b applied");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => watching);
    }
}
