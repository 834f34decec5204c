using System.ComponentModel.DataAnnotations;
using Confluent.Kafka;
using Streaming.Kafka;

namespace Streaming.Normalizer;

/// <summary>The normalizer's settings (configuration section "Normalizer").</summary>
public sealed class NormalizerOptions
{
    public const string SectionName = "Normalizer";

    /// <summary>Raw webhooks are read from here.</summary>
    [Required]
    public string InputTopic { get; set; } = KafkaTopics.Raw;

    /// <summary>DocumentEvent records are written here (subject "&lt;topic&gt;-value").</summary>
    [Required]
    public string OutputTopic { get; set; } = KafkaTopics.DocumentEvents;

    /// <summary>Unmappable raw records go here, unchanged, with a reason header.</summary>
    [Required]
    public string DeadLetterTopic { get; set; } = KafkaTopics.RawDeadLetter;

    /// <summary>Consumer group of all normalizer replicas.</summary>
    [Required]
    public string GroupId { get; set; } = "normalizer";

    /// <summary>This replica's stable name; the host name when empty.</summary>
    public string? InstanceId { get; set; }

    /// <summary>
    /// The producer's transactional.id; "normalizer-{InstanceId}" when empty. It must survive a restart of
    /// the same replica (so the restarted process fences its predecessor) and differ between replicas.
    /// </summary>
    public string? TransactionalId { get; set; }

    /// <summary>The service-specific registry key older deployments set; SchemaRegistry:Url is the shared one.</summary>
    public const string LegacyRegistryUrlKey = "Normalizer:SchemaRegistryUrl";

    /// <summary>
    /// Schema registry base URL, from SchemaRegistry:Url or (older deployments, taking precedence) this key.
    /// Empty: this process hosts the registry endpoint on its own web port, which only the Development environment or
    /// <see cref="AllowEmbeddedRegistry"/> permits (elsewhere the start stops: a registry in a normalizer's memory would
    /// be open to writes and forget every schema on restart).
    /// </summary>
    public string? SchemaRegistryUrl { get; set; }

    /// <summary>Host the registry endpoint in this process when no registry URL is set, outside Development too.</summary>
    public bool AllowEmbeddedRegistry { get; set; }

    /// <summary>
    /// Register the DocumentEvent contract when it is not yet there (Confluent's auto.register.schemas). Unset: only
    /// with the embedded registry (empty <see cref="SchemaRegistryUrl"/>). Production leaves it off and registers the
    /// contract in a deployment step (docker-compose's register-schemas, k8s/register-schemas-job.yaml), so a
    /// normalizer never changes what the registry holds; without the contract it stops at start with the reason.
    /// </summary>
    public bool? AutoRegisterSchemas { get; set; }

    /// <summary>Send events whose type no mapping row knows to the DLQ (otherwise: event type and status UNKNOWN).</summary>
    public bool StrictEventTypes { get; set; }

    /// <summary>Most raw records in one transaction.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>Longest a transaction collects records before it commits.</summary>
    public TimeSpan BatchTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How far back the retry dedupe looks (the output is re-read for this window on partition assignment).</summary>
    public TimeSpan DedupeWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>transaction.timeout.ms: how long the broker waits before aborting the transaction of a dead replica.</summary>
    public TimeSpan TransactionTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one attempt to commit a transaction may take before it counts as failed (retriable).</summary>
    public TimeSpan CommitTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Attempts at committing one transaction when the commit fails with a retriable error (a timeout, the coordinator
    /// moving), with exponential back-off. When none succeeds the normalizer stops with the reason: a restart fences this
    /// producer and resumes from what was committed.
    /// </summary>
    [Range(1, 100)]
    public int CommitAttempts { get; set; } = 5;

    /// <summary>
    /// fetch.wait.max.ms of the raw-topic consumer: how long the broker may hold a fetch with nothing to
    /// return. librdkafka's mock broker holds it that long even when records arrive meanwhile, so the
    /// embedded platform sets it low; empty keeps librdkafka's default (500 ms).
    /// </summary>
    public TimeSpan? FetchWait { get; set; }

    /// <summary>
    /// Consumer group session timeout: how long a dead replica keeps its partitions. Classic protocol only: with
    /// the consumer protocol the broker's group.consumer.session.timeout.ms decides.
    /// </summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>
    /// group.protocol: Classic (default, what every broker speaks) or Consumer (KIP-848: the broker assigns
    /// partitions incrementally, in about 100 ms instead of seconds; Kafka 4.0+ or the embedded broker).
    /// </summary>
    public GroupProtocol GroupProtocol { get; set; } = GroupProtocol.Classic;

    /// <summary>
    /// Also commit consumed offsets outside the transaction, after it committed. Needed only on librdkafka's mock
    /// cluster, which does not store transactional offset commits; empty means "when the broker is embedded".
    /// </summary>
    public bool? CommitOffsetsOutsideTransaction { get; set; }

    /// <summary>The transactional id actually used.</summary>
    public string EffectiveTransactionalId =>
        string.IsNullOrWhiteSpace(TransactionalId) ? "normalizer-" + EffectiveInstanceId : TransactionalId;

    /// <summary>The instance id actually used.</summary>
    public string EffectiveInstanceId =>
        string.IsNullOrWhiteSpace(InstanceId) ? Environment.MachineName : InstanceId;
}
