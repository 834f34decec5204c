using System.Diagnostics;
using Confluent.Kafka;
using Streaming.Testing;
using Xunit.Abstractions;

namespace Streaming.Normalizer.Tests;

/// <summary>Where the normalizer's group offsets live, and the group protocols it speaks.</summary>
public sealed class GroupAndOffsetTests(ITestOutputHelper output)
{
    private const int Events = 12;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Covers the mock gap "offsets sent with SendOffsetsToTransaction are discarded"
    /// (TransactionSemanticsTests.Mock_gap_transactional_offset_commits_are_discarded): without
    /// Normalizer:CommitOffsetsOutsideTransaction the group has no committed offset after the transactions commit,
    /// so a restart would re-read the whole topic; with it (the default on embedded brokers) the offsets are there.
    /// </summary>
    [EmbeddedKafkaFact("covers a gap of the embedded mock cluster")]
    public async Task Commits_offsets_outside_the_transaction_because_the_mock_discards_transactional_ones()
    {
        var withoutMirror = NormalizerSetup.Create(partitions: 2);
        await withoutMirror.ProduceAsync(Webhooks());
        await using (var host = await NormalizerHost.StartAsync(withoutMirror, commitOffsetsOutsideTransaction: false))
        {
            await Eventually.True(() => host.Worker.Loop!.CommittedRecords == Events, Wait, "every raw record normalized");
            Assert.Equal(0, withoutMirror.CommittedOffsets());
        }

        var withMirror = NormalizerSetup.Create(partitions: 2);
        await withMirror.ProduceAsync(Webhooks());
        await using (var host = await NormalizerHost.StartAsync(withMirror, commitOffsetsOutsideTransaction: true))
        {
            await Eventually.True(() => withMirror.CommittedOffsets() == Events, Wait, "the group's offsets to cover every raw record");
        }
    }

    /// <summary>
    /// KIP-848 (group.protocol=consumer, as the embedded platform runs it): the broker assigns every partition and the
    /// loop works the same. The session timeout option is left out of the client configuration, where it is refused.
    /// (How much sooner than the classic protocol: measured, not asserted here; the platform's readiness test shows it.)
    /// </summary>
    [EmbeddedKafkaFact("the embedded broker speaks the consumer group protocol; a real broker only from Kafka 4.0 or when enabled")]
    public async Task Consumer_group_protocol_gets_every_partition_and_normalizes()
    {
        var setup = NormalizerSetup.Create(partitions: 3);
        await using var host = await NormalizerHost.StartAsync(setup, groupProtocol: GroupProtocol.Consumer);
        await Eventually.True(() => host.Worker.Loop!.AssignedPartitions == 3, TimeSpan.FromSeconds(10), "all three partitions assigned");

        await setup.ProduceAsync(Webhooks());
        Assert.Equal(Events, setup.ReadEvents(Events, Wait).Count);
        await Eventually.True(() => setup.CommittedOffsets() == Events, Wait, "the group's offsets to cover every raw record");
    }

    /// <summary>
    /// With the consumer protocol a joining replica takes partitions from the first one incrementally: the first
    /// keeps the rest and goes on. Nothing is lost and nothing doubled. Were a batch open at the revocation, it is
    /// aborted and the kept partitions are read again from the batch's start (ExactlyOnceLoop.OnRevoked); on the
    /// embedded broker the revocation has so far always landed between two batches (the log line says how many
    /// records the open batch had), so that branch is checked here only when it happens.
    /// </summary>
    [EmbeddedKafkaFact("the embedded broker speaks the consumer group protocol; a real broker only from Kafka 4.0 or when enabled")]
    public async Task A_replica_joining_with_the_consumer_protocol_loses_and_doubles_nothing()
    {
        var setup = NormalizerSetup.Create(partitions: 4);
        // Long batches, so that a batch is likely open when the first replica loses partitions.
        await using var first = await NormalizerHost.StartAsync(setup, groupProtocol: GroupProtocol.Consumer, batchSize: 100_000, batchTimeout: TimeSpan.FromSeconds(3));
        await Eventually.True(() => first.Worker.Loop!.AssignedPartitions == 4, TimeSpan.FromSeconds(10), "the first replica to own every partition");

        // Webhooks keep arriving until after the second replica joined.
        var sent = new List<RawWebhook>();
        using var stop = new CancellationTokenSource();
        var producing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var chunk = Enumerable.Range(0, 5).Select(_ => RawWebhooks.Create("inkless", "document_signed")).ToArray();
                await setup.ProduceAsync(chunk);
                sent.AddRange(chunk);
                await Task.Delay(10);
            }
        });
        await Eventually.True(() => first.Worker.Loop!.CommittedRecords > 0, Wait, "the first replica to commit a batch");
        await using var second = await NormalizerHost.StartAsync(setup, groupProtocol: GroupProtocol.Consumer, batchSize: 1000, transactionalId: setup.TransactionalId + "-b");
        await Eventually.True(() => second.Worker.Loop!.AssignedPartitions > 0, TimeSpan.FromSeconds(10), "the second replica to get partitions");
        await Task.Delay(500);
        await stop.CancelAsync();
        await producing;

        var events = setup.ReadEvents(sent.Count + 1, TimeSpan.FromSeconds(20));
        foreach (var line in first.Logs.Lines.Where(l => l.Contains("Partitions ", StringComparison.Ordinal) || l.Contains("Abort", StringComparison.Ordinal)))
        {
            output.WriteLine("first replica: " + line);
        }
        output.WriteLine($"{sent.Count} sent; first replica: {first.Worker.Loop!.Aborts} abort(s), {first.Worker.Transform!.Duplicates} duplicate(s) dropped, {first.Worker.Loop!.AssignedPartitions} partition(s) kept");
        Assert.Equal(sent.Count, events.Select(e => (string)e.Event["event_id"]!).Distinct().Count());
        Assert.Equal(sent.Count, events.Count);
        Assert.Equal(sent.Select(w => w.Key).Order(), events.Select(e => e.Record.Message.Key!).Order());
        if (!TestKafka.IsRealBroker && first.Worker.Loop!.Aborts > 0)
        {
            // On the mock the aborted batch stays visible, so the output alone cannot show a skipped partition; the
            // first replica reading its kept partitions again (and dropping what it had written) does.
            Assert.True(first.Worker.Transform!.Duplicates > 0, "the kept partitions were not read again after the aborted batch");
        }
    }

    private static RawWebhook[] Webhooks() =>
        Enumerable.Range(0, Events).Select(_ => RawWebhooks.Create("inkless", "document_signed")).ToArray();
}
