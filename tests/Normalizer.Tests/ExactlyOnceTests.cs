using Streaming.Normalizer.Processing;
using Streaming.Testing;

namespace Streaming.Normalizer.Tests;

/// <summary>
/// Killing the normalizer between writing a batch and committing its transaction, then starting a new instance
/// with the same transactional id and group: a read_committed reader must see each event exactly once.
/// </summary>
/// <remarks>
/// What differs between brokers (both runs must pass): on a real Kafka broker (KAFKA_BOOTSTRAP_SERVERS, a container) the
/// killed transaction is aborted when the new instance initializes, its records stay invisible, its offsets
/// uncommitted, and the batch is normalized again. librdkafka 2.16's mock cluster shows aborted records to
/// read_committed readers and does not store transactional offsets, so there the killed batch's records are
/// visible and the raw records are read again; the new instance's dedupe, rebuilt from the output with the
/// same visibility as downstream, drops them. The mock cannot show that aborted records stay hidden: that
/// part of the guarantee is only exercised against a real broker.
/// </remarks>
public sealed class ExactlyOnceTests
{
    private const int Events = 30;

    [Theory]
    [InlineData(FaultPoint.AfterProduce)]
    [InlineData(FaultPoint.AfterSendOffsets)]
    public async Task Killed_mid_batch_and_restarted_each_event_is_seen_once(FaultPoint point)
    {
        var setup = NormalizerSetup.Create(partitions: 3);
        var webhooks = Enumerable.Range(0, Events)
            .Select(i => RawWebhooks.Create(i % 2 == 0 ? "inkless" : "instnt", i % 2 == 0 ? "document_signed" : "document.submitted"))
            .ToArray();
        await setup.ProduceAsync(webhooks);

        await using (var doomed = await NormalizerHost.StartAsync(setup, crashAt: p => p == point, batchSize: 1000))
        {
            await Eventually.True(() => doomed.Worker.Loop is { Running: false }, TimeSpan.FromSeconds(20), "the injected crash");
            Assert.Equal(0, doomed.Worker.Loop!.CommittedRecords);
        }

        // The dead transaction's records reached the broker's log before the kill.
        Assert.True(TestKafka.CountRecords(TestKafka.BootstrapServers, setup.Output, setup.Partitions) > 0);

        await using var restarted = await NormalizerHost.StartAsync(setup);
        await Eventually.True(() => setup.CommittedOffsets() == Events, TimeSpan.FromSeconds(30), "the restarted normalizer to commit every raw record");

        var events = setup.ReadEvents(Events + 1, TimeSpan.FromSeconds(5));
        Assert.Equal(Events, events.Count);
        Assert.Equal(Events, events.Select(e => (string)e.Event["event_id"]!).Distinct().Count());
        Assert.Equal(webhooks.Select(w => w.Key).Order(), events.Select(e => e.Record.Message.Key!).Order());
        if (!TestKafka.IsRealBroker)
        {
            // Mock gap "read_committed readers see aborted records" (TransactionSemanticsTests): the killed batch stayed
            // visible, so the restarted instance's dedupe, rebuilt from the output, had to drop it as already written.
            Assert.True(restarted.Worker.Transform!.Duplicates > 0);
        }
    }
}
