namespace Streaming.Cli;

/// <summary>Exit codes scripts can rely on (also listed by `streaming --help`).</summary>
public static class ExitCodes
{
    /// <summary>Done; every webhook accepted, every record found.</summary>
    public const int Ok = 0;

    /// <summary>Wrong usage: unknown command or option, bad value (System.CommandLine's parse errors are 1 too).</summary>
    public const int Usage = 1;

    /// <summary>A server could not be reached (ingress, gRPC API, registry, Kafka) or did not answer in time.</summary>
    public const int Unreachable = 2;

    /// <summary>The document (or record) asked for is not known.</summary>
    public const int NotFound = 3;

    /// <summary>Some webhooks were rejected (4xx/5xx), or the server answered with an error.</summary>
    public const int Failed = 4;

    /// <summary>The server refused the credentials (gRPC UNAUTHENTICATED or PERMISSION_DENIED).</summary>
    public const int Unauthorized = 5;

    public const string Help =
        "Exit codes: 0 ok, 1 usage, 2 server unreachable or timed out, 3 not found, 4 rejected or server error, 5 unauthorized.";
}

/// <summary>A failure the command reports as one line on stderr with its exit code.</summary>
public sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
