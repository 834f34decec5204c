using System.Runtime.InteropServices;
using System.Text;
using Confluent.Kafka;

namespace Streaming.Kafka.Embedded;

/// <summary>
/// A Kafka-protocol broker inside this process: librdkafka's mock cluster, reachable over
/// real TCP on 127.0.0.1 by any Kafka client (in any process) for as long as this object lives.
/// Supports produce/fetch, consumer groups, idempotence and transactions, and fault injection.
/// </summary>
public sealed class EmbeddedKafkaCluster : IDisposable
{
    private readonly Lock _gate = new();
    private IntPtr _rk;
    private IntPtr _cluster;

    private EmbeddedKafkaCluster(IntPtr rk, IntPtr cluster, int brokerCount, string bootstrapServers)
    {
        _rk = rk;
        _cluster = cluster;
        BrokerCount = brokerCount;
        BootstrapServers = bootstrapServers;
    }

    /// <summary>Comma-separated 127.0.0.1:port list of the mock brokers.</summary>
    public string BootstrapServers { get; }

    /// <summary>Number of brokers; broker ids are 1..BrokerCount.</summary>
    public int BrokerCount { get; }

    /// <summary>Starts a mock cluster with the given number of brokers.</summary>
    public static EmbeddedKafkaCluster Start(int brokerCount = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerCount, 1);
        KafkaNative.EnsureResolver();

        var errstr = new byte[512];
        var conf = MockClusterNative.ConfNew();
        // The handle that owns the cluster only hosts it; keep its own logging to errors.
        if (MockClusterNative.ConfSet(conf, "log_level", "3", errstr, (UIntPtr)errstr.Length) != MockClusterNative.ConfOk)
        {
            MockClusterNative.ConfDestroy(conf);
            throw new KafkaException(new Error(ErrorCode.InvalidConfig, Decode(errstr)));
        }

        var rk = MockClusterNative.New(MockClusterNative.RdKafkaProducer, conf, errstr, (UIntPtr)errstr.Length);
        if (rk == IntPtr.Zero)
        {
            MockClusterNative.ConfDestroy(conf);
            throw new KafkaException(new Error(ErrorCode.Local_Fail, "could not create the handle for the embedded broker: " + Decode(errstr)));
        }

        var cluster = MockClusterNative.ClusterNew(rk, brokerCount);
        if (cluster == IntPtr.Zero)
        {
            MockClusterNative.Destroy(rk);
            throw new KafkaException(new Error(ErrorCode.Local_Fail, "librdkafka could not start the mock cluster"));
        }

        // The mock reports no controller by default; clients that need one (kafkajs: "Broker 0 not found") then fail.
        MockClusterNative.SetControllerId(cluster, 1);

        var bootstraps = Marshal.PtrToStringUTF8(MockClusterNative.ClusterBootstraps(cluster))
            ?? throw new KafkaException(new Error(ErrorCode.Local_Fail, "mock cluster returned no bootstrap address"));
        return new EmbeddedKafkaCluster(rk, cluster, brokerCount, bootstraps);
    }

    /// <summary>Creates a topic (an existing topic is left as it is).</summary>
    public void CreateTopic(string name, int partitions, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        var err = Call(c => MockClusterNative.TopicCreate(c, name, partitions, Math.Min(replicationFactor, BrokerCount)));
        // TOPIC_ALREADY_EXISTS (36): creating twice is fine.
        if (err != 0 && err != (int)ErrorCode.TopicAlreadyExists)
        {
            throw new KafkaException(new Error((ErrorCode)err, $"creating topic '{name}': {MockClusterNative.ErrorText(err)}"));
        }
    }

    /// <summary>
    /// Creates every topic in the list. The mock keeps no topic settings (<see cref="TopicSpec.Configs"/>): it never
    /// compacts, so a compacted topic keeps every record here (readers that keep the last record per key see what
    /// compaction would have left), and its only retention is its own: each partition keeps its newest 5 MiB (at most
    /// 100,000 message sets), dropping the oldest message sets beyond that.
    /// </summary>
    public void CreateTopics(IEnumerable<TopicSpec> topics)
    {
        foreach (var topic in topics)
        {
            CreateTopic(topic.Name, topic.Partitions, topic.ReplicationFactor);
        }
    }

    /// <summary>
    /// Drops a partition's records before <paramref name="beforeOffset"/> (whole message sets; the log start offset
    /// moves there), as Kafka's DeleteRecords does. The mock finds the message set a fetch asks for by walking the
    /// partition's log from its start, so a shorter log is also a cheaper fetch.
    /// </summary>
    public void DeleteRecords(string topic, int partition, long beforeOffset)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        Check(Call(c => MockClusterNative.PartitionDeleteRecords(c, topic, partition, beforeOffset)), $"deleting records of {topic}[{partition}] before {beforeOffset}");
    }

    /// <summary>Takes a broker down: its connections are closed and new ones refused until <see cref="SetBrokerUp"/>.</summary>
    public void SetBrokerDown(int brokerId = 1) => Check(Call(c => MockClusterNative.BrokerSetDown(c, brokerId)), "broker down");

    /// <summary>Brings a broker back up.</summary>
    public void SetBrokerUp(int brokerId = 1) => Check(Call(c => MockClusterNative.BrokerSetUp(c, brokerId)), "broker up");

    /// <summary>Adds a round-trip delay to every response of a broker (0 removes it).</summary>
    public void SetBrokerRoundTripTime(int brokerId, TimeSpan rtt) =>
        Check(Call(c => MockClusterNative.BrokerSetRtt(c, brokerId, (int)rtt.TotalMilliseconds)), "broker rtt");

    /// <summary>
    /// The session timeout and heartbeat interval the broker gives members of KIP-848 (consumer protocol) groups: how
    /// long a member that vanished (kill -9) keeps its partitions before the group hands them to the others.
    /// librdkafka's mock defaults to 30 s and 3 s.
    /// </summary>
    public void SetConsumerGroupSessionTimeout(TimeSpan session, TimeSpan heartbeat) =>
        Call(c =>
        {
            MockClusterNative.SetGroupConsumerSessionTimeoutMs(c, (int)session.TotalMilliseconds);
            MockClusterNative.SetGroupConsumerHeartbeatIntervalMs(c, (int)heartbeat.TotalMilliseconds);
            return 0;
        });

    /// <summary>
    /// Makes the next requests of one API fail: the i-th request of <paramref name="api"/> gets
    /// <c>errors[i]</c> instead of being served (cluster-wide).
    /// </summary>
    public void PushRequestErrors(KafkaApi api, params ErrorCode[] errors)
    {
        var codes = errors.Select(e => (int)e).ToArray();
        Call(c =>
        {
            MockClusterNative.PushRequestErrorsArray(c, (short)api, (UIntPtr)codes.Length, codes);
            return 0;
        });
    }

    /// <summary>Removes errors still queued for an API.</summary>
    public void ClearRequestErrors(KafkaApi api) =>
        Call(c =>
        {
            MockClusterNative.ClearRequestErrors(c, (short)api);
            return 0;
        });

    public void Dispose()
    {
        lock (_gate)
        {
            if (_cluster != IntPtr.Zero)
            {
                MockClusterNative.ClusterDestroy(_cluster);
                _cluster = IntPtr.Zero;
            }

            if (_rk != IntPtr.Zero)
            {
                MockClusterNative.Destroy(_rk);
                _rk = IntPtr.Zero;
            }
        }
    }

    private int Call(Func<IntPtr, int> action)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_cluster == IntPtr.Zero, this);
            return action(_cluster);
        }
    }

    private static void Check(int err, string what)
    {
        if (err != 0)
        {
            throw new KafkaException(new Error((ErrorCode)err, $"{what}: {MockClusterNative.ErrorText(err)}"));
        }
    }

    private static string Decode(byte[] errstr)
    {
        var end = Array.IndexOf(errstr, (byte)0);
        return Encoding.UTF8.GetString(errstr, 0, end < 0 ? errstr.Length : end);
    }
}

/// <summary>Kafka protocol API keys used for fault injection.</summary>
public enum KafkaApi : short
{
    Produce = 0,
    Fetch = 1,
    ListOffsets = 2,
    Metadata = 3,
    OffsetCommit = 8,
    OffsetFetch = 9,
    FindCoordinator = 10,
    JoinGroup = 11,
    Heartbeat = 12,
    SyncGroup = 14,
    InitProducerId = 22,
    AddPartitionsToTxn = 24,
    AddOffsetsToTxn = 25,
    EndTxn = 26,
    TxnOffsetCommit = 28,
}
