using System.ComponentModel.DataAnnotations;

namespace Streaming.Platform;

/// <summary>Where the embedded platform's parts listen (configuration section "Platform"). Port 0 picks a free port.</summary>
public sealed class PlatformOptions
{
    public const string SectionName = "Platform";

    /// <summary>Address every part binds to; 127.0.0.1 keeps the platform on this machine.</summary>
    [Required]
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Ingress (HTTP/1.1 and HTTP/2): POST /webhooks/{provider}.</summary>
    [Range(0, 65535)]
    public int IngressPort { get; set; } = 8080;

    /// <summary>Status service's gRPC API (HTTP/2 only, h2c).</summary>
    [Range(0, 65535)]
    public int GrpcPort { get; set; } = 8081;

    /// <summary>Confluent-compatible schema registry endpoint.</summary>
    [Range(0, 65535)]
    public int SchemaRegistryPort { get; set; } = 8082;

    /// <summary>Normalizer's health endpoint.</summary>
    [Range(0, 65535)]
    public int NormalizerPort { get; set; }

    /// <summary>The status service's HTTP/1.1 port: health and the API's JSON face (GET /v1/documents/...).</summary>
    [Range(0, 65535)]
    public int StatusHttpPort { get; set; } = 8083;

    /// <summary>Partitions of each product topic on the embedded broker.</summary>
    [Range(1, 1024)]
    public int Partitions { get; set; } = 6;

    /// <summary>How long every part has to report ready before the start fails.</summary>
    public TimeSpan ReadyTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Drop the records the platform's own consumers have committed past (webhooks.raw.v1 behind the normalizer,
    /// documents.events.v1 behind the status service), but the newest <see cref="KeepConsumedRecords"/> per partition:
    /// the embedded broker walks a partition's whole log on each fetch. False leaves every topic to the broker's own cap
    /// (the newest 5 MiB per partition).
    /// </summary>
    public bool TrimConsumedRecords { get; set; } = true;

    /// <summary>Records per partition kept behind the consuming service's committed offset (for `streaming tail` and subscribers that lag).</summary>
    [Range(0, 1_000_000)]
    public int KeepConsumedRecords { get; set; } = 100;
}
