using System.ComponentModel.DataAnnotations;
using Confluent.Kafka;

namespace Streaming.Kafka;

/// <summary>How a service reaches Kafka (configuration section "Kafka").</summary>
public sealed class KafkaOptions
{
    public const string SectionName = "Kafka";

    /// <summary>
    /// host:port list. Empty means: start the embedded (in-memory) broker in this process, which only the Development
    /// environment or <see cref="AllowEmbeddedBroker"/> permits: elsewhere a missing setting stops the start.
    /// </summary>
    public string? BootstrapServers { get; set; }

    /// <summary>Permits the embedded broker outside Development (the one-process platform sets it; data lives in memory).</summary>
    public bool AllowEmbeddedBroker { get; set; }

    /// <summary>Partitions per topic when this process creates topics (embedded broker, or AutoCreateTopics).</summary>
    [Range(1, 1024)]
    public int Partitions { get; set; } = 6;

    /// <summary>Create the product's topics at start (with the admin API on a real cluster).</summary>
    public bool AutoCreateTopics { get; set; } = true;

    /// <summary>Extra librdkafka properties (security.protocol, sasl.*, ...), passed through unchanged.</summary>
    public Dictionary<string, string> Config { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How often consumer lag (streaming.kafka.consumer.lag) is recomputed once something reads the metric.</summary>
    public TimeSpan LagRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    public bool UsesEmbeddedBroker => string.IsNullOrWhiteSpace(BootstrapServers);

    /// <summary>Base client configuration for this cluster: bootstrap servers plus the pass-through properties.</summary>
    public ClientConfig ToClientConfig(string bootstrapServers)
    {
        var config = new ClientConfig(new Dictionary<string, string>(Config, StringComparer.Ordinal))
        {
            BootstrapServers = bootstrapServers,
        };
        return config;
    }
}
