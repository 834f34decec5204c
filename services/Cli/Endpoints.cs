using System.CommandLine;
using System.Text.Json;
using Streaming.Kafka.Embedded;

namespace Streaming.Cli;

/// <summary>
/// Where the servers are. For each: the option, else its environment variable, else the platform's
/// ready file (--ready-file or STREAMING_READY_FILE), else what the running embedded platform published
/// (<see cref="PlatformDiscovery"/>). No guessing: with none of these the command says nothing is running.
/// </summary>
public static class Endpoints
{
    public static readonly Option<string?> ReadyFile = new("--ready-file")
    {
        Description = "The platform's ready file (Streaming.Platform --ready-file): every address below from it. Env: STREAMING_READY_FILE",
        Recursive = true,
    };

    public static readonly Option<string?> Ingress = new("--ingress")
    {
        Description = "Ingress base URL. Env: STREAMING_INGRESS_URL. Default: the running embedded platform's",
        Recursive = true,
    };

    public static readonly Option<string?> Grpc = new("--grpc")
    {
        Description = "Status gRPC API base URL (h2c). Env: STREAMING_GRPC_URL. Default: the running embedded platform's",
        Recursive = true,
    };

    public static readonly Option<string?> Registry = new("--registry")
    {
        Description = "Schema registry base URL. Env: STREAMING_SCHEMA_REGISTRY_URL. Default: the running embedded platform's",
        Recursive = true,
    };

    public static readonly Option<string?> Kafka = new("--kafka")
    {
        Description = "Kafka bootstrap servers. Env: STREAMING_KAFKA_BOOTSTRAP_SERVERS. Default: the running embedded platform's",
        Recursive = true,
    };

    public static readonly Option<string?> GrpcToken = new("--grpc-token")
    {
        Description = "Bearer token for the gRPC API, when it requires one. Env: STREAMING_GRPC_TOKEN",
        Recursive = true,
    };

    public static readonly Option<string?> Metrics = new("--metrics")
    {
        Description = "Prometheus scrape URL (a service's /metrics). Env: STREAMING_METRICS_URL. Default: the running embedded platform's",
        Recursive = true,
    };

    public static IEnumerable<Option> All => [ReadyFile, Ingress, Grpc, Registry, Kafka, GrpcToken, Metrics];

    public static Uri IngressUrl(ParseResult result) => Url(result, Ingress, "STREAMING_INGRESS_URL", "ingress");

    public static Uri GrpcUrl(ParseResult result) => Url(result, Grpc, "STREAMING_GRPC_URL", "grpc");

    public static Uri RegistryUrl(ParseResult result) => Url(result, Registry, "STREAMING_SCHEMA_REGISTRY_URL", "schemaRegistry");

    public static Uri MetricsUrl(ParseResult result) => Url(result, Metrics, "STREAMING_METRICS_URL", "metrics");

    public static string? GrpcAuthorization(ParseResult result) =>
        (result.GetValue(GrpcToken) ?? Environment.GetEnvironmentVariable("STREAMING_GRPC_TOKEN")) is { Length: > 0 } token ? "Bearer " + token : null;

    public static string KafkaBootstrap(ParseResult result) =>
        Value(result, Kafka, "STREAMING_KAFKA_BOOTSTRAP_SERVERS", "kafka") ?? throw NothingRunning(Kafka, "STREAMING_KAFKA_BOOTSTRAP_SERVERS");

    private static CliException NothingRunning(Option option, string variable) => new(
        ExitCodes.Unreachable,
        $"no streaming platform is running for this user (nothing at {PlatformDiscovery.Location}). Start one with ./run.sh, " +
        $"or say where the servers are: {option.Name} or {variable} (or --ready-file).");

    private static Uri Url(ParseResult result, Option<string?> option, string variable, string readyKey)
    {
        var value = Value(result, option, variable, readyKey) ?? throw NothingRunning(option, variable);
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliException(ExitCodes.Usage, $"{option.Name}: '{value}' is not an http:// URL");
        }

        return uri;
    }

    private static string? Value(ParseResult result, Option<string?> option, string variable, string readyKey)
    {
        if (result.GetValue(option) is { Length: > 0 } explicitValue)
        {
            return explicitValue;
        }

        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        var readyFile = result.GetValue(ReadyFile) ?? Environment.GetEnvironmentVariable("STREAMING_READY_FILE");
        if (string.IsNullOrEmpty(readyFile))
        {
            using var running = PlatformDiscovery.TryReadRunning(PlatformDiscovery.Location);
            return running is not null && running.RootElement.TryGetProperty(readyKey, out var published) ? published.GetString() : null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(readyFile));
            return document.RootElement.TryGetProperty(readyKey, out var value) ? value.GetString() : null;
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Usage, $"cannot read the ready file {readyFile}: {ex.Message}");
        }
    }
}
