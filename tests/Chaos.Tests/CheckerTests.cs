using Confluent.Kafka;
using Streaming.Kafka.Embedded;

namespace Streaming.Chaos.Tests;

/// <summary>The reconciliation's own parts: the status model and the transaction-marker reader.</summary>
public sealed class CheckerTests
{
    private static VendorEvent Event(ModelStatus status, int second) =>
        new("generic", "doc", status.ToString(), status, DateTimeOffset.UnixEpoch.AddSeconds(second), [], () => new Dictionary<string, string>());

    [Fact]
    public void Model_takes_the_highest_status_whatever_the_arrival_order()
    {
        Assert.Equal(ModelStatus.InProgress, VendorDocument.Expected([Event(ModelStatus.InProgress, 2), Event(ModelStatus.Pending, 1)]));
        Assert.Equal(ModelStatus.NeedsReview, VendorDocument.Expected([Event(ModelStatus.NeedsReview, 3), Event(ModelStatus.InProgress, 4)]));
    }

    [Fact]
    public void Model_lets_the_later_terminal_event_win_and_ignores_unknown_events()
    {
        Assert.Equal(ModelStatus.Rejected, VendorDocument.Expected([Event(ModelStatus.Rejected, 5), Event(ModelStatus.Completed, 4), Event(ModelStatus.Unknown, 6)]));
        Assert.Equal(ModelStatus.Completed, VendorDocument.Expected([Event(ModelStatus.Completed, 7), Event(ModelStatus.Rejected, 4), Event(ModelStatus.Pending, 9)]));
        Assert.Equal(ModelStatus.Pending, VendorDocument.Expected([Event(ModelStatus.Unknown, 2), Event(ModelStatus.Pending, 1)]));
    }

    [Fact]
    public void Transaction_log_tells_committed_aborted_and_never_ended_records_apart_where_read_committed_cannot()
    {
        using var cluster = EmbeddedKafkaCluster.Start();
        const string topic = "chaos-markers";
        cluster.CreateTopic(topic, 1);

        IProducer<string, string> Transactional(string id)
        {
            var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, TransactionalId = id }).Build();
            producer.InitTransactions(TimeSpan.FromSeconds(30));
            return producer;
        }

        using (var plain = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build())
        {
            plain.Produce(topic, new Message<string, string> { Key = "k", Value = "plain" });
            plain.Flush(TimeSpan.FromSeconds(10));
        }

        using var committer = Transactional("committer");
        committer.BeginTransaction();
        committer.Produce(topic, new Message<string, string> { Key = "k", Value = "committed-1" });
        committer.Produce(topic, new Message<string, string> { Key = "k", Value = "committed-2" });
        committer.CommitTransaction(TimeSpan.FromSeconds(30));

        committer.BeginTransaction();
        committer.Produce(topic, new Message<string, string> { Key = "k", Value = "aborted" });
        committer.Flush(TimeSpan.FromSeconds(10));
        committer.AbortTransaction(TimeSpan.FromSeconds(30));

        // A producer that dies inside its transaction: no marker ever follows its records.
        var zombie = Transactional("zombie");
        zombie.BeginTransaction();
        zombie.Produce(topic, new Message<string, string> { Key = "k", Value = "never-ended" });
        zombie.Flush(TimeSpan.FromSeconds(10));

        committer.BeginTransaction();
        committer.Produce(topic, new Message<string, string> { Key = "k", Value = "committed-3" });
        committer.CommitTransaction(TimeSpan.FromSeconds(30));

        // What a read_committed consumer gets on this broker: aborted records included (the mock's gap).
        var values = new Dictionary<long, string>();
        using (var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            GroupId = "markers-" + Guid.NewGuid().ToString("N"),
            IsolationLevel = IsolationLevel.ReadCommitted,
            EnablePartitionEof = true,
        }).Build())
        {
            consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (DateTime.UtcNow < deadline)
            {
                var record = consumer.Consume(TimeSpan.FromSeconds(1));
                if (record is { IsPartitionEOF: true })
                {
                    break;
                }

                if (record is not null)
                {
                    values[record.Offset.Value] = record.Message.Value;
                }
            }
        }

        Assert.Contains("aborted", values.Values);
        var end = values.Keys.Max() + 2;
        using var log = new TransactionLog(cluster.BootstrapServers);
        var fates = log.Fates(topic, 0, end, out var markers);
        var byValue = values.ToDictionary(v => v.Value, v => fates[v.Key]);
        Assert.Equal(RecordFate.NonTransactional, byValue["plain"]);
        Assert.Equal(RecordFate.Committed, byValue["committed-1"]);
        Assert.Equal(RecordFate.Committed, byValue["committed-2"]);
        Assert.Equal(RecordFate.Aborted, byValue["aborted"]);
        Assert.Equal(RecordFate.NeverEnded, byValue["never-ended"]);
        Assert.Equal(RecordFate.Committed, byValue["committed-3"]);
        Assert.Equal(3, markers);
        zombie.Dispose();
    }
}
