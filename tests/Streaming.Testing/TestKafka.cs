using Confluent.Kafka;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using Streaming.Kafka.Embedded;
using Testcontainers.Kafka;

namespace Streaming.Testing;

/// <summary>Which broker the tests run on.</summary>
public enum TestBrokerKind
{
    /// <summary>librdkafka's mock cluster in the test process (the default).</summary>
    Embedded,

    /// <summary>The broker named by KAFKA_BOOTSTRAP_SERVERS.</summary>
    External,

    /// <summary>Apache Kafka in a container started by Testcontainers (STREAMING_TEST_KAFKA=testcontainers).</summary>
    Testcontainers,
}

/// <summary>
/// The broker tests talk to, chosen in this order: KAFKA_BOOTSTRAP_SERVERS (any broker); a Kafka container when
/// STREAMING_TEST_KAFKA=testcontainers (fails at once without a Docker engine, never falls back); else the
/// embedded mock cluster. Each test makes its own topics with unique names.
/// </summary>
public static class TestKafka
{
    /// <summary>The environment variable that asks for a broker in a container: "testcontainers".</summary>
    public const string ModeVariable = "STREAMING_TEST_KAFKA";

    /// <summary>
    /// The image a container broker runs: the Apache Kafka release docker-compose.yml deploys (KRaft mode; the
    /// image has no ZooKeeper mode). Pinned by tag.
    /// </summary>
    public const string ContainerImage = "apache/kafka:3.9.1";

    private static readonly Lazy<SharedBroker> Shared = new(StartShared, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>KAFKA_BOOTSTRAP_SERVERS when set.</summary>
    public static string? ExternalBootstrapServers =>
        Environment.GetEnvironmentVariable("KAFKA_BOOTSTRAP_SERVERS") is { Length: > 0 } servers ? servers : null;

    /// <summary>The broker this run uses (known without starting it).</summary>
    public static TestBrokerKind Kind =>
        ExternalBootstrapServers is not null ? TestBrokerKind.External
        : string.Equals(Environment.GetEnvironmentVariable(ModeVariable), "testcontainers", StringComparison.OrdinalIgnoreCase) ? TestBrokerKind.Testcontainers
        : TestBrokerKind.Embedded;

    /// <summary>A real Kafka broker (external or in a container), not librdkafka's mock.</summary>
    public static bool IsRealBroker => Kind != TestBrokerKind.Embedded;

    /// <summary>Bootstrap servers of the shared test cluster.</summary>
    public static string BootstrapServers => Shared.Value.BootstrapServers;

    private static EmbeddedKafkaCluster? SharedEmbedded => Shared.Value.Embedded;

    /// <summary>
    /// Starts a Kafka container. Without a Docker engine this fails at once with <see cref="DockerUnavailableException"/>
    /// whose message says so (Testcontainers itself would only fail after trying to connect).
    /// </summary>
    public static async Task<KafkaContainer> StartContainerAsync(CancellationToken cancellationToken = default)
    {
        if (TestcontainersSettings.OS.DockerEndpointAuthConfig is null)
        {
            throw new DockerUnavailableException(
                $"{ModeVariable}=testcontainers asks for Kafka in a container, but no Docker engine was found " +
                "(DOCKER_HOST, the Docker socket, ~/.testcontainers.properties). Start Docker, or unset " +
                $"{ModeVariable} to use the embedded broker, or set KAFKA_BOOTSTRAP_SERVERS to use a running broker.");
        }

        var container = new KafkaBuilder(ContainerImage).Build();
        await container.StartAsync(cancellationToken);
        return container;
    }

    private static SharedBroker StartShared()
    {
        switch (Kind)
        {
            case TestBrokerKind.External:
                return new SharedBroker(ExternalBootstrapServers!, null);
            case TestBrokerKind.Testcontainers:
                var container = StartContainerAsync().GetAwaiter().GetResult();
                // The container lives as long as the test process; Testcontainers' resource reaper removes it after.
                AppDomain.CurrentDomain.ProcessExit += (_, _) => container.DisposeAsync().AsTask().GetAwaiter().GetResult();
                return new SharedBroker(container.GetBootstrapAddress(), null);
            default:
                var embedded = EmbeddedKafkaCluster.Start();
                return new SharedBroker(embedded.BootstrapServers, embedded);
        }
    }

    private sealed record SharedBroker(string BootstrapServers, EmbeddedKafkaCluster? Embedded);

    /// <summary>A topic name no other test uses.</summary>
    public static string UniqueTopic(string prefix) => $"{prefix}.{Guid.NewGuid():N}";

    /// <summary>Creates a uniquely named topic on the shared cluster.</summary>
    public static string CreateTopic(string prefix, int partitions = 3) =>
        CreateTopic(BootstrapServers, SharedEmbedded, UniqueTopic(prefix), partitions);

    /// <summary>Creates a topic on an embedded cluster, or with the admin API on a real one.</summary>
    public static string CreateTopic(string bootstrapServers, EmbeddedKafkaCluster? embedded, string name, int partitions)
    {
        if (embedded is not null)
        {
            embedded.CreateTopic(name, partitions);
            return name;
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = 1 }])
            .GetAwaiter().GetResult();
        return name;
    }

    /// <summary>
    /// Reads every record of a topic from the beginning until <paramref name="expected"/> records
    /// arrived or the timeout passed (then returns what it has), in partition-then-offset order per partition.
    /// </summary>
    public static List<ConsumeResult<string?, byte[]>> ReadAll(
        string bootstrapServers,
        string topic,
        int expected,
        TimeSpan timeout,
        IsolationLevel isolation = IsolationLevel.ReadCommitted)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "test-reader-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            IsolationLevel = isolation,
            EnablePartitionEof = false,
        };
        using var consumer = new ConsumerBuilder<string?, byte[]>(config)
            .SetKeyDeserializer(NullableUtf8.Instance)
            .Build();
        consumer.Subscribe(topic);
        var results = new List<ConsumeResult<string?, byte[]>>();
        var deadline = DateTime.UtcNow + timeout;
        while (results.Count < expected && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is not null && !result.IsPartitionEOF)
            {
                results.Add(result);
            }
        }

        consumer.Close();
        return results;
    }

    /// <summary>Shorthand for <see cref="ReadAll(string,string,int,TimeSpan,IsolationLevel)"/> on the shared cluster.</summary>
    public static List<ConsumeResult<string?, byte[]>> ReadAll(string topic, int expected, TimeSpan timeout) =>
        ReadAll(BootstrapServers, topic, expected, timeout);

    /// <summary>Total records in a topic (sum of high watermarks; every test topic starts empty).</summary>
    public static long CountRecords(string bootstrapServers, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "test-watermarks",
        }).Build();
        long total = 0;
        for (var p = 0; p < partitions; p++)
        {
            total += consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(5)).High.Value;
        }

        return total;
    }

    private sealed class NullableUtf8 : IDeserializer<string?>
    {
        public static readonly NullableUtf8 Instance = new();

        public string? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) =>
            isNull ? null : System.Text.Encoding.UTF8.GetString(data);
    }
}
