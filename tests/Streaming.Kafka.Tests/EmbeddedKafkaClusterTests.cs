using System.Text;
using Confluent.Kafka;
using Streaming.Kafka;
using Streaming.Kafka.Embedded;
using Streaming.Testing;

namespace Streaming.Kafka.Tests;

// These tests own their cluster: fault injection must not disturb other tests.
public sealed class EmbeddedKafkaClusterTests : IDisposable
{
    private readonly EmbeddedKafkaCluster _cluster = EmbeddedKafkaCluster.Start();

    public void Dispose() => _cluster.Dispose();

    private ProducerConfig ProducerConfig(int timeoutMs = 10_000) => new()
    {
        BootstrapServers = _cluster.BootstrapServers,
        Acks = Acks.All,
        EnableIdempotence = true,
        MessageTimeoutMs = timeoutMs,
        LingerMs = 1,
        // The default backoff grows to 10 s, longer than these tests wait for a broker to return.
        ReconnectBackoffMaxMs = 500,
    };

    [Fact]
    public void Exposes_a_loopback_bootstrap_address()
    {
        Assert.Matches(@"^127\.0\.0\.1:\d+$", _cluster.BootstrapServers);
        Assert.StartsWith("2.", KafkaNative.LoadedVersion, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reports_broker_1_as_the_controller()
    {
        // Clients that look the controller up (kafkajs: "Broker 0 not found") need one.
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _cluster.BootstrapServers }).Build();
        var cluster = await admin.DescribeClusterAsync(new Confluent.Kafka.Admin.DescribeClusterOptions { RequestTimeout = TimeSpan.FromSeconds(10) });
        Assert.Equal(1, cluster.Controller?.Id);
    }

    [Fact]
    public async Task Creates_topics_with_the_requested_partition_count()
    {
        var topic = TestKafka.UniqueTopic("partitions");
        _cluster.CreateTopic(topic, 5);
        _cluster.CreateTopic(topic, 5); // twice is fine

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _cluster.BootstrapServers }).Build();
        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(5));
        Assert.Equal(5, metadata.Topics.Single().Partitions.Count);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Idempotent_acks_all_produce_is_consumed_with_key_value_and_headers()
    {
        var topic = TestKafka.UniqueTopic("roundtrip");
        _cluster.CreateTopic(topic, 3);
        using (var producer = new ProducerBuilder<string, byte[]>(ProducerConfig()).Build())
        {
            var headers = new Headers();
            RawEventHeaders.Add(headers, RawEventHeaders.Provider, "inkless");
            var result = await producer.ProduceAsync(topic, new Message<string, byte[]> { Key = "doc-1", Value = [1, 2, 3], Headers = headers });
            Assert.Equal(PersistenceStatus.Persisted, result.Status);
        }

        var records = TestKafka.ReadAll(_cluster.BootstrapServers, topic, 1, TimeSpan.FromSeconds(15));
        var record = Assert.Single(records);
        Assert.Equal("doc-1", record.Message.Key);
        Assert.Equal(new byte[] { 1, 2, 3 }, record.Message.Value);
        Assert.Equal("inkless", RawEventHeaders.Get(record.Message.Headers, RawEventHeaders.Provider));
    }

    [Fact]
    public async Task A_downed_broker_fails_delivery_and_serves_again_once_up()
    {
        var topic = TestKafka.UniqueTopic("down");
        _cluster.CreateTopic(topic, 1);
        using var producer = new ProducerBuilder<string, byte[]>(ProducerConfig(timeoutMs: 1500)).Build();
        await producer.ProduceAsync(topic, new Message<string, byte[]> { Key = "k", Value = [0] });

        _cluster.SetBrokerDown(1);
        var failure = await Assert.ThrowsAsync<ProduceException<string, byte[]>>(
            () => producer.ProduceAsync(topic, new Message<string, byte[]> { Key = "k", Value = [1] }));
        Assert.Equal(ErrorCode.Local_MsgTimedOut, failure.Error.Code);

        _cluster.SetBrokerUp(1);
        using var fresh = new ProducerBuilder<string, byte[]>(ProducerConfig(timeoutMs: 10_000)).Build();
        var ok = await fresh.ProduceAsync(topic, new Message<string, byte[]> { Key = "k", Value = [2] });
        Assert.Equal(PersistenceStatus.Persisted, ok.Status);

        var values = TestKafka.ReadAll(_cluster.BootstrapServers, topic, 3, TimeSpan.FromSeconds(5)).Select(r => r.Message.Value[0]).ToList();
        Assert.Equal(new byte[] { 0, 2 }, values);
    }

    [Fact]
    public async Task Injected_produce_errors_fail_delivery_until_cleared()
    {
        var topic = TestKafka.UniqueTopic("errors");
        _cluster.CreateTopic(topic, 1);
        using var producer = new ProducerBuilder<string, byte[]>(ProducerConfig(timeoutMs: 1500)).Build();
        await producer.ProduceAsync(topic, new Message<string, byte[]> { Key = "k", Value = [0] });

        // A retriable error, repeated past the delivery timeout.
        _cluster.PushRequestErrors(KafkaApi.Produce, Enumerable.Repeat(ErrorCode.NotEnoughReplicas, 500).ToArray());
        var failure = await Assert.ThrowsAsync<ProduceException<string, byte[]>>(
            () => producer.ProduceAsync(topic, new Message<string, byte[]> { Key = "k", Value = [1] }));
        Assert.Contains(failure.Error.Code, new[] { ErrorCode.NotEnoughReplicas, ErrorCode.Local_MsgTimedOut });

        _cluster.ClearRequestErrors(KafkaApi.Produce);
        using var fresh = new ProducerBuilder<string, byte[]>(ProducerConfig()).Build();
        var ok = await fresh.ProduceAsync(topic, new Message<string, byte[]> { Key = "k", Value = [2] });
        Assert.Equal(PersistenceStatus.Persisted, ok.Status);
    }

    [Fact]
    public async Task Committed_transactions_reach_read_committed_consumers()
    {
        var topic = TestKafka.UniqueTopic("txn");
        _cluster.CreateTopic(topic, 1);
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = _cluster.BootstrapServers,
            TransactionalId = "txn-test-" + Guid.NewGuid().ToString("N"),
        }).Build();
        producer.InitTransactions(TimeSpan.FromSeconds(10));

        // Aborting is covered by TransactionSemanticsTests: the mock shows aborted records to read_committed readers.
        producer.BeginTransaction();
        await producer.ProduceAsync(topic, new Message<string, byte[]> { Key = "k", Value = Encoding.UTF8.GetBytes("committed") });
        producer.CommitTransaction(TimeSpan.FromSeconds(10));

        var records = TestKafka.ReadAll(_cluster.BootstrapServers, topic, 1, TimeSpan.FromSeconds(10));
        Assert.Equal(["committed"], records.Select(r => Encoding.UTF8.GetString(r.Message.Value)));
    }

    [Fact]
    public void A_disposed_cluster_refuses_further_calls()
    {
        var cluster = EmbeddedKafkaCluster.Start();
        cluster.Dispose();
        Assert.Throws<ObjectDisposedException>(() => cluster.CreateTopic("x", 1));
    }
}
