using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Streaming.Kafka;

/// <summary>
/// First thing a service does at start: loads librdkafka, logs which one, and stops the start when it is older
/// than the version this build ships (an older one fails later, at the first consumer call, far from the cause).
/// </summary>
public sealed partial class KafkaNativeCheck(ILogger<KafkaNativeCheck> logger) : IHostedService
{
    private static int _logged;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var version = KafkaNative.EnsureSupportedVersion();
        // Once per process: the embedded platform starts several hosts.
        if (Interlocked.Exchange(ref _logged, 1) == 0)
        {
            LogLoaded(logger, version, KafkaNative.LoadedPath, KafkaNative.BuiltAgainst);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "librdkafka {Version} loaded from {Path} (built against {BuiltAgainst})")]
    private static partial void LogLoaded(ILogger logger, string version, string? path, Version builtAgainst);
}
