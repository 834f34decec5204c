using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Streaming.Kafka.Embedded;

namespace Streaming.Kafka;

/// <summary>
/// The process's view of its Kafka cluster: the configured one, or the embedded broker this
/// process starts when no bootstrap servers are configured. Creates the product's topics.
/// </summary>
public sealed partial class KafkaConnection : IDisposable
{
    private readonly KafkaOptions _options;
    private readonly EmbeddedKafkaCluster? _embedded;

    public KafkaConnection(IOptions<KafkaOptions> options, ILogger<KafkaConnection> logger)
    {
        _options = options.Value;
        if (_options.UsesEmbeddedBroker)
        {
            _embedded = EmbeddedKafkaCluster.Start();
            BootstrapServers = _embedded.BootstrapServers;
            LogEmbeddedStarted(logger, BootstrapServers, KafkaNative.LoadedVersion);
        }
        else
        {
            BootstrapServers = _options.BootstrapServers!;
        }
    }

    /// <summary>Where clients connect.</summary>
    public string BootstrapServers { get; }

    /// <summary>The embedded broker, when this process runs one.</summary>
    public EmbeddedKafkaCluster? Embedded => _embedded;

    /// <summary>Client configuration for this cluster (bootstrap servers plus pass-through properties).</summary>
    public ClientConfig ClientConfig() => _options.ToClientConfig(BootstrapServers);

    /// <summary>
    /// Creates topics that do not exist yet (embedded: mock API, which takes no topic settings and never compacts;
    /// real cluster: admin API, with each topic's settings).
    /// </summary>
    public async Task EnsureTopicsAsync(IEnumerable<TopicSpec> topics, CancellationToken cancellationToken = default)
    {
        if (_embedded is not null)
        {
            _embedded.CreateTopics(topics);
            return;
        }

        using var admin = new AdminClientBuilder(ClientConfig()).Build();
        var specs = topics.Select(t => new TopicSpecification
        {
            Name = t.Name,
            NumPartitions = t.Partitions,
            ReplicationFactor = t.ReplicationFactor,
            Configs = new Dictionary<string, string>(t.Configs ?? new Dictionary<string, string>())
            {
                ["max.message.bytes"] = KafkaTopics.MaxMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        }).ToList();
        try
        {
            await admin.CreateTopicsAsync(specs).WaitAsync(cancellationToken);
        }
        catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Already there: nothing to do.
        }
    }

    public void Dispose() => _embedded?.Dispose();

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Embedded Kafka broker listening on {BootstrapServers} (librdkafka {Version})")]
    private static partial void LogEmbeddedStarted(ILogger logger, string bootstrapServers, string version);
}
