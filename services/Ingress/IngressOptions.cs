using System.ComponentModel.DataAnnotations;
using Streaming.Ingress.Providers;

namespace Streaming.Ingress;

/// <summary>The ingress's settings (configuration section "Ingress").</summary>
public sealed class IngressOptions
{
    public const string SectionName = "Ingress";

    /// <summary>Providers by the name used in the route /webhooks/{name} (case-insensitive).</summary>
    public Dictionary<string, ProviderOptions> Providers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Largest accepted body in bytes (413 above), unless a provider sets its own.</summary>
    [Range(1, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How long a webhook may wait for Kafka's acknowledgement before the answer is 503. Kept
    /// well below the providers' own timeouts (generic vendor 5 s, inSigner 10 s).
    /// </summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Retry-After sent with 503 (Kafka unavailable).</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Producer linger (batching window). Zero: every request waits for its own ack, so records
    /// go out at once and batch naturally while earlier requests are in flight (measured: a
    /// 1 ms linger halves throughput at 32 concurrent webhooks, BENCHMARKS.md).
    /// </summary>
    public TimeSpan Linger { get; set; } = TimeSpan.Zero;

    /// <summary>Topic verified webhooks are published to.</summary>
    public string Topic { get; set; } = Streaming.Kafka.KafkaTopics.Raw;
}
