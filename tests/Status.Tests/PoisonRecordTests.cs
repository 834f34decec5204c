using Streaming.Contracts.Status.V1;
using Streaming.Status.Projection;
using Streaming.Status.Tests.Support;
using Streaming.Testing;

namespace Streaming.Status.Tests;

/// <summary>
/// A record the store refuses whatever the moment (PostgreSQL refuses a NUL character in text) is dead-lettered with
/// the store's reason; the records around it, in the same batch and partition, are projected, and the partition keeps flowing.
/// </summary>
public sealed class PoisonRecordTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_record_PostgreSQL_refuses_is_dead_lettered_and_its_neighbours_are_projected()
    {
        await using var database = await TestPostgres.CreateAsync();
        using var setup = StatusSetup.Create(partitions: 1, connectionString: database.ConnectionString);
        using var producer = new EventProducer(setup.Topic, await TestRegistry.UrlAsync());
        var before = Lifecycle.Event("poison-doc", "poison-before", LifecycleStatus.Pending, 0, type: "LINK_SENT");
        var poison = Lifecycle.Event("poison-doc", "poison-nul", LifecycleStatus.InProgress, 1) with { ProviderEventType = "document\0viewed" };
        var after = Lifecycle.Event("poison-doc", "poison-after", LifecycleStatus.Completed, 2, type: "DOCUMENT_COMPLETED");
        // Produced before the service starts: the three records arrive in one batch.
        await producer.ProduceAsync([before, poison, after]);

        await using var host = await StatusHost.StartAsync(setup);
        await Eventually.True(() => host.Loop.Applied + host.Loop.DeadLetters >= 3, Wait, "the three records handled");

        var state = await host.Client.GetDocumentStatusAsync(new GetDocumentStatusRequest { DocumentToken = "poison-doc" });
        Assert.Equal(2, state.EventCount);
        Assert.Equal(DocumentStatus.Completed, state.Status);
        var letter = Assert.Single(await host.Store.ListDeadLettersAsync(10, CancellationToken.None));
        Assert.Equal((setup.Topic, 0, 1L, "poison-doc"), (letter.Topic, letter.Partition, letter.Offset, letter.Key));
        Assert.Contains("refused by the status store", letter.Reason, StringComparison.Ordinal);
        Assert.Contains("22021", letter.Reason, StringComparison.Ordinal);

        // The partition keeps flowing after it.
        await producer.ProduceAsync(Lifecycle.Event("poison-doc", "poison-later", LifecycleStatus.Rejected, 3, type: "DOCUMENT_DECLINED"));
        await Eventually.True(() => host.Loop.Applied >= 3, Wait, "the later record applied");
        Assert.Equal(3, (await host.Client.GetDocumentStatusAsync(new GetDocumentStatusRequest { DocumentToken = "poison-doc" })).EventCount);
    }
}
