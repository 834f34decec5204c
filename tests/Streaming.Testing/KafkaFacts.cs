using DotNet.Testcontainers.Configurations;
using Xunit;

namespace Streaming.Testing;

/// <summary>
/// A test only a real Kafka broker can pass (it checks what librdkafka's mock cluster gets wrong): runs when the
/// tests use KAFKA_BOOTSTRAP_SERVERS or a container, and is skipped, saying why, on the embedded broker.
/// </summary>
public sealed class RealKafkaFactAttribute : FactAttribute
{
    public RealKafkaFactAttribute()
    {
        if (!TestKafka.IsRealBroker)
        {
            Skip = "needs a real Kafka broker: the embedded mock cluster lacks this behaviour (docs/kafka-embedded.md); " +
                $"set KAFKA_BOOTSTRAP_SERVERS or {TestKafka.ModeVariable}=testcontainers";
        }
    }
}

/// <summary>A test that only means something on the embedded broker (e.g. how the product copes with a gap of librdkafka's mock cluster): skipped on a real broker.</summary>
public sealed class EmbeddedKafkaFactAttribute : FactAttribute
{
    /// <param name="why">Why the test needs the embedded broker; part of the skip reason.</param>
    public EmbeddedKafkaFactAttribute(string why)
    {
        if (TestKafka.IsRealBroker)
        {
            Skip = $"{why}; this run uses a real broker ({TestKafka.Kind})";
        }
    }
}

/// <summary>A test of what happens without a Docker engine: skipped where one is configured.</summary>
public sealed class NoDockerFactAttribute : FactAttribute
{
    public NoDockerFactAttribute()
    {
        if (TestcontainersSettings.OS.DockerEndpointAuthConfig is not null)
        {
            Skip = "a Docker engine is configured on this machine";
        }
    }
}
