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
    /// Producer linger (batching window): each webhook waits up to this long for others to share its produce request.
    /// 1 ms: about a quarter less CPU per webhook at 21,000/s for 1.5 ms more median latency. Where few connections
    /// each wait for their answer before sending the next, that latency also caps throughput: with 64 such
    /// connections, zero gave the same maximum on one day and up to a fifth more on another (BENCHMARKS.md, Ingress).
    /// Zero sends each record at once.
    /// </summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Requests per second one client address may send to the webhook routes, checked before anything is read or
    /// verified (token bucket per address); 0 turns it off. Behind a proxy, forward the client address
    /// (ASP.NET Core forwarded headers) or this limits the proxy.
    /// </summary>
    [Range(0, 1_000_000)]
    public double ClientRateLimitPerSecond { get; set; } = 200;

    /// <summary>Whether the per-client limit is on (<see cref="ClientRateLimitPerSecond"/> above 0): only then do webhook requests pass the rate limiter.</summary>
    public bool LimitsClients => ClientRateLimitPerSecond > 0;

    /// <summary>Burst of the per-client limit; 0: one second's worth.</summary>
    [Range(0, 10_000_000)]
    public int ClientRateLimitBurst { get; set; }

    /// <summary>Deepest JSON nesting parsed in a (verified) body; deeper bodies are published unparsed and dead-lettered downstream.</summary>
    [Range(1, 256)]
    public int MaxJsonDepth { get; set; } = 32;

    /// <summary>Topic verified webhooks are published to.</summary>
    public string Topic { get; set; } = Streaming.Kafka.KafkaTopics.Raw;
}
