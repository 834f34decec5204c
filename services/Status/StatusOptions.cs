using System.ComponentModel.DataAnnotations;
using Confluent.Kafka;
using Streaming.Kafka;

namespace Streaming.Status;

/// <summary>The status service's settings (configuration section "Status").</summary>
public sealed class StatusOptions
{
    public const string SectionName = "Status";

    /// <summary>PostgreSQL connection string (replicas share it). Empty: the SQLite file at <see cref="SqlitePath"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The SQLite store when no connection string is given.</summary>
    public string SqlitePath { get; set; } = "./.data/status.db";

    /// <summary>DocumentEvent records are read from here (read_committed).</summary>
    [Required]
    public string Topic { get; set; } = KafkaTopics.DocumentEvents;

    /// <summary>Write each document's committed state to <see cref="SnapshotTopic"/> (the compacted status topic).</summary>
    public bool PublishSnapshots { get; set; } = true;

    /// <summary>Where DocumentStatus snapshots go (log-compacted, key = document token).</summary>
    public string SnapshotTopic { get; set; } = KafkaTopics.DocumentStatus;

    /// <summary>
    /// Register the DocumentStatus contract under the snapshot topic's subject when it is not there (Confluent's
    /// auto.register.schemas). Unset: only in the Development environment; production registers it in a deployment step.
    /// </summary>
    public bool? AutoRegisterSchemas { get; set; }

    /// <summary>Consumer group of all status replicas (offsets live in the store, per group).</summary>
    [Required]
    public string GroupId { get; set; } = "status";

    /// <summary>The service-specific registry key older deployments set; SchemaRegistry:Url is the shared one.</summary>
    public const string LegacyRegistryUrlKey = "Status:SchemaRegistryUrl";

    /// <summary>
    /// Schema registry base URL, from SchemaRegistry:Url or (older deployments, taking precedence) this key. Required
    /// outside the Development environment; there it defaults to <see cref="DevelopmentRegistryUrl"/>.
    /// </summary>
    public string? SchemaRegistryUrl { get; set; }

    /// <summary>The registry a Development run uses when none is set.</summary>
    public const string DevelopmentRegistryUrl = "http://127.0.0.1:8081";

    /// <summary>Address of the HTTP/2-only gRPC endpoint.</summary>
    [Required]
    public string GrpcAddress { get; set; } = "127.0.0.1";

    /// <summary>Port of the gRPC endpoint; 0 picks a free one.</summary>
    [Range(0, 65535)]
    public int GrpcPort { get; set; } = 8083;

    /// <summary>This replica's name in cross-replica notifications; the host name and process id when empty.</summary>
    public string? InstanceId { get; set; }

    /// <summary>Most records in one store transaction.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>Longest a batch waits for more records once it has one (adds to watch latency).</summary>
    public TimeSpan BatchWindow { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>fetch.wait.max.ms: how long the broker holds a fetch with nothing to return.</summary>
    public TimeSpan FetchWait { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Consumer group session timeout: how long a dead replica keeps its partitions. Classic protocol only: with
    /// the consumer protocol the broker's group.consumer.session.timeout.ms decides.
    /// </summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// group.protocol: Classic (default, what every broker speaks) or Consumer (KIP-848: the broker assigns
    /// partitions incrementally, in about 100 ms instead of seconds; Kafka 4.0+ or the embedded broker).
    /// </summary>
    public GroupProtocol GroupProtocol { get; set; } = GroupProtocol.Classic;

    /// <summary>Changes a watcher may have unread before it is dropped.</summary>
    [Range(1, 1_000_000)]
    public int WatcherBufferSize { get; set; } = 1024;

    /// <summary>
    /// PostgreSQL only: notifications of other replicas' changes received but not yet read back for the watchers. Past
    /// it, notifications are dropped and every watcher's stream ends with UNAVAILABLE (watch again, re-read the state)
    /// rather than the listener falling behind without bound or a watcher missing a change without knowing.
    /// </summary>
    [Range(1, 1_000_000)]
    public int NotificationBacklog { get; set; } = 10_000;

    /// <summary>page_size when a request gives 0.</summary>
    [Range(1, 100_000)]
    public int DefaultPageSize { get; set; } = 50;

    /// <summary>Largest page_size accepted (larger is INVALID_ARGUMENT).</summary>
    [Range(1, 100_000)]
    public int MaxPageSize { get; set; } = 1000;

    public bool UsesPostgres => !string.IsNullOrWhiteSpace(ConnectionString);

    public string EffectiveInstanceId =>
        string.IsNullOrWhiteSpace(InstanceId) ? $"{Environment.MachineName}-{Environment.ProcessId}" : InstanceId;
}
