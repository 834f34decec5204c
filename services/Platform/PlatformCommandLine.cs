using System.Text;

namespace Streaming.Platform;

/// <summary>The platform's own arguments (--ready-file) and what it prints; everything else is configuration.</summary>
public static class PlatformCommandLine
{
    public sealed record ReadyFileArgument(string? Path, string? Error);

    /// <summary>Takes --ready-file PATH (or --ready-file=PATH) out of the arguments.</summary>
    public static (ReadyFileArgument? ReadyFile, string[] Remaining) Parse(string[] args)
    {
        var rest = new List<string>();
        ReadyFileArgument? readyFile = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--ready-file")
            {
                readyFile = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
                    ? new ReadyFileArgument(args[++i], null)
                    : new ReadyFileArgument(null, "usage: --ready-file PATH (the file gets the platform's addresses as JSON once every part is ready)");
            }
            else if (args[i].StartsWith("--ready-file=", StringComparison.Ordinal))
            {
                var path = args[i]["--ready-file=".Length..];
                readyFile = path.Length > 0 ? new ReadyFileArgument(path, null) : new ReadyFileArgument(null, "usage: --ready-file PATH");
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        return (readyFile, rest.ToArray());
    }

    /// <summary>Writes the ready file atomically: readers never see a half-written file.</summary>
    public static void WriteReadyFile(string path, PlatformEndpoints endpoints)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".tmp";
        File.WriteAllText(temporary, endpoints.ToReadyJson(), new UTF8Encoding(false));
        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>What the platform prints once ready.</summary>
    public static string Describe(PlatformEndpoints endpoints)
    {
        var ingress = endpoints.Ingress.ToString().TrimEnd('/');
        var text = new StringBuilder()
            .AppendLine("Streaming platform ready (embedded: one process, nothing else to run)")
            .AppendLine($"  Kafka (embedded broker)  {endpoints.Kafka}   topics webhooks.raw.v1, webhooks.raw.dlq.v1, documents.events.v1, documents.status.v1")
            .AppendLine($"  Schema registry          {endpoints.SchemaRegistry.ToString().TrimEnd('/')}")
            .AppendLine($"  Ingress                  {ingress}   POST {ingress}/webhooks/{{inscribe|insigner|instnt|inkless|generic}}")
            .AppendLine($"  Normalizer health        {endpoints.NormalizerHealth.ToString().TrimEnd('/')}/health/ready")
            .AppendLine($"  Status gRPC (h2c)        {endpoints.Grpc.ToString().TrimEnd('/')}   streaming.status.v1.DocumentStatusService")
            .AppendLine($"  Status JSON              {endpoints.StatusHttp.ToString().TrimEnd('/')}/v1/documents")
            .AppendLine($"  Metrics (Prometheus)     {endpoints.Metrics}   (streaming stats shows them live)")
            .AppendLine("Embedded state is in memory: every start begins empty.")
            .AppendLine("Try: streaming send, then streaming list (the CLI finds this instance by itself). Ctrl+C stops everything.");
        return text.ToString();
    }
}
