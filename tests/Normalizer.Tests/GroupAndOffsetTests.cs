using System.Diagnostics;
using Confluent.Kafka;
using Streaming.Testing;

namespace Streaming.Normalizer.Tests;

/// <summary>Where the normalizer's group offsets live, and the group protocols it speaks.</summary>
public sealed class GroupAndOffsetTests
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
    /// KIP-848 (group.protocol=consumer, as the embedded platform runs it): the broker assigns the partitions within
    /// about a second (the classic protocol waits group.initial.rebalance.delay.ms, 3 s, first), and the loop
    /// works the same. The session timeout option is left out of the client configuration, where it is refused.
    /// </summary>
    [EmbeddedKafkaFact("the embedded broker speaks the consumer group protocol; a real broker only from Kafka 4.0 or when enabled")]
    public async Task Consumer_group_protocol_gets_every_partition_at_once_and_normalizes()
    {
        var setup = NormalizerSetup.Create(partitions: 3);
        var started = Stopwatch.StartNew();
        await using var host = await NormalizerHost.StartAsync(setup, groupProtocol: GroupProtocol.Consumer);
        await Eventually.True(() => host.Worker.Loop!.AssignedPartitions == 3, TimeSpan.FromSeconds(10), "all three partitions assigned");
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2.5), $"assignment took {started.Elapsed.TotalMilliseconds:0} ms");

        await setup.ProduceAsync(Webhooks());
        Assert.Equal(Events, setup.ReadEvents(Events, Wait).Count);
        await Eventually.True(() => setup.CommittedOffsets() == Events, Wait, "the group's offsets to cover every raw record");
    }

    private static RawWebhook[] Webhooks() =>
        Enumerable.Range(0, Events).Select(_ => RawWebhooks.Create("inkless", "document_signed")).ToArray();
}
