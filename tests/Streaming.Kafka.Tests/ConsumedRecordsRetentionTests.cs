using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging.Abstractions;
using Streaming.Kafka.Embedded;
using Streaming.Testing;

namespace Streaming.Kafka.Tests;

// Own cluster: records are deleted here.
public sealed class ConsumedRecordsRetentionTests : IDisposable
{
    private readonly EmbeddedKafkaCluster _cluster = EmbeddedKafkaCluster.Start();

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public async Task Drops_what_the_group_committed_past_but_the_newest_kept_and_nothing_uncommitted()
    {
        var topic = TestKafka.UniqueTopic("retention");
        _cluster.CreateTopic(topic, 3);
        // 100 records in each partition, one message set each (as the ingress sends them).
        await ProduceAsync(topic, partitions: 3, perPartition: 100);
        // The group committed 80 in partition 0 and 5 in partition 1; nothing in partition 2.
        Commit("handoff", new TopicPartitionOffset(topic, 0, 80), new TopicPartitionOffset(topic, 1, 5));

        using var retention = new ConsumedRecordsRetention(_cluster, [new ConsumedTopic(topic, "handoff")], 3, keep: 10, NullLogger.Instance);
        await retention.TrimAsync(CancellationToken.None);

        Assert.Equal(70, await StartOffsetAsync(topic, 0)); // 80 committed, the newest 10 of them kept
        Assert.Equal(0, await StartOffsetAsync(topic, 1)); // 5 committed: fewer than the 10 kept
        Assert.Equal(0, await StartOffsetAsync(topic, 2)); // nothing committed: nothing dropped
        Assert.Equal(70, retention.Deleted);

        // A reader from the beginning starts at the new log start; nothing after it is missing.
        var records = TestKafka.ReadAll(_cluster.BootstrapServers, topic, 30 + 100 + 100, TimeSpan.FromSeconds(20));
        Assert.Equal(Enumerable.Range(70, 30).Select(o => (long)o), records.Where(r => r.Partition.Value == 0).Select(r => r.Offset.Value).Order());
        Assert.Equal(100, records.Count(r => r.Partition.Value == 1));

        // The group moves on; the next pass follows it, and a pass with nothing new changes nothing.
        Commit("handoff", new TopicPartitionOffset(topic, 0, 100));
        await retention.TrimAsync(CancellationToken.None);
        await retention.TrimAsync(CancellationToken.None);
        Assert.Equal(90, await StartOffsetAsync(topic, 0));
        Assert.Equal(90, retention.Deleted);
    }

    [Fact]
    public async Task Never_moves_a_log_start_back()
    {
        var topic = TestKafka.UniqueTopic("retention-back");
        _cluster.CreateTopic(topic, 1);
        await ProduceAsync(topic, partitions: 1, perPartition: 50);
        _cluster.DeleteRecords(topic, 0, 40);
        Commit("handoff", new TopicPartitionOffset(topic, 0, 45));

        using var retention = new ConsumedRecordsRetention(_cluster, [new ConsumedTopic(topic, "handoff")], 1, keep: 10, NullLogger.Instance);
        await retention.TrimAsync(CancellationToken.None);

        // 45 - 10 = 35 is behind the start (40): the log stays as it is.
        Assert.Equal(40, await StartOffsetAsync(topic, 0));
        Assert.Equal(0, retention.Deleted);
    }

    [Fact]
    public async Task Stopping_while_a_pass_waits_on_the_broker_ends_the_loop_without_an_error()
    {
        // The platform awaits this loop when it stops: an exception here once ended the process with SIGABRT before
        // any part was stopped.
        var topic = TestKafka.UniqueTopic("retention-stop");
        _cluster.CreateTopic(topic, 2);
        await ProduceAsync(topic, partitions: 2, perPartition: 5);
        Commit("handoff", new TopicPartitionOffset(topic, 0, 5), new TopicPartitionOffset(topic, 1, 5));
        _cluster.SetBrokerRoundTripTime(1, TimeSpan.FromMilliseconds(500));

        using var retention = new ConsumedRecordsRetention(_cluster, [new ConsumedTopic(topic, "handoff")], 2, keep: 1, NullLogger.Instance);
        using var stopping = new CancellationTokenSource();
        var started = Stopwatch.StartNew();
        var running = retention.RunAsync(TimeSpan.FromMilliseconds(10), stopping.Token);
        // The first pass needs several round trips (metadata, offsets, start offsets): it is waiting on the broker now.
        await Task.Delay(300);
        Assert.False(running.IsCompleted);
        await stopping.CancelAsync();

        await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(running.IsCompletedSuccessfully, $"the loop ended {running.Status}: {running.Exception}");
        // The pass in flight finished its broker round trips (500 ms each) before it saw the token: it really was mid-pass.
        Assert.True(started.Elapsed > TimeSpan.FromMilliseconds(500), $"ended after {started.Elapsed}");
        Assert.Equal(0, retention.Deleted);
    }

    [Fact]
    public async Task The_mock_broker_keeps_only_the_newest_5_MiB_of_a_partition()
    {
        // Pins the mock's own retention, which docs/kafka-embedded.md describes: the oldest message sets go once a
        // partition holds more than 5 MiB.
        var topic = TestKafka.UniqueTopic("mock-cap");
        _cluster.CreateTopic(topic, 1);
        var value = new byte[64 * 1024];
        using (var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = _cluster.BootstrapServers, LingerMs = 0 }).Build())
        {
            for (var i = 0; i < 100; i++)
            {
                await producer.ProduceAsync(topic, new Message<byte[]?, byte[]> { Value = value });
            }
        }

        // 100 x 64 KiB = 6.25 MiB: about 80 message sets fit.
        var start = await StartOffsetAsync(topic, 0);
        Assert.InRange(start, 15, 25);
    }

    private async Task ProduceAsync(string topic, int partitions, int perPartition)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = _cluster.BootstrapServers, LingerMs = 0 }).Build();
        for (var i = 0; i < perPartition; i++)
        {
            for (var p = 0; p < partitions; p++)
            {
                await producer.ProduceAsync(new TopicPartition(topic, p), new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
            }
        }
    }

    private void Commit(string group, params TopicPartitionOffset[] offsets)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = _cluster.BootstrapServers, GroupId = group }).Build();
        consumer.Commit(offsets);
    }

    private async Task<long> StartOffsetAsync(string topic, int partition)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _cluster.BootstrapServers }).Build();
        var result = await admin.ListOffsetsAsync(
            [new TopicPartitionOffsetSpec { TopicPartition = new TopicPartition(topic, partition), OffsetSpec = OffsetSpec.Earliest() }],
            new ListOffsetsOptions { RequestTimeout = TimeSpan.FromSeconds(10) });
        return result.ResultInfos.Single().TopicPartitionOffsetError.Offset.Value;
    }
}
