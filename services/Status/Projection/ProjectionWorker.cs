using Microsoft.Extensions.Options;
using Streaming.Kafka;
using Streaming.Status.Publishing;
using Streaming.Status.Store;
using Streaming.Status.Watching;

namespace Streaming.Status.Projection;

/// <summary>
/// Hosts the <see cref="ProjectionLoop"/> on its own thread until the host stops. A fatal Kafka error stops the
/// whole application, loudly: a status service that no longer projects must not look healthy.
/// </summary>
public sealed partial class ProjectionWorker(
    KafkaConnection kafka,
    IStatusStore store,
    DocumentEventDecoder decoder,
    ChangeFeed feed,
    IOptions<StatusOptions> options,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggers,
    ProjectionFaults? faults = null,
    SnapshotPublisher? snapshots = null,
    StatusTelemetry? telemetry = null,
    IOptions<KafkaOptions>? kafkaOptions = null) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<ProjectionWorker>();
    private ProjectionLoop? _loop;

    /// <summary>The loop, once started.</summary>
    public ProjectionLoop? Loop => Volatile.Read(ref _loop);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var publisher = o.PublishSnapshots ? snapshots : null;
        using var lag = telemetry?.LagMonitor(kafka.ClientConfig(), o.GroupId, kafkaOptions?.Value.LagRefreshInterval ?? TimeSpan.FromSeconds(5));
        var loop = new ProjectionLoop(
            new ProjectionSettings(kafka.ClientConfig(), o.Topic, o.GroupId, o.BatchSize, o.BatchWindow, o.FetchWait, o.SessionTimeout, o.GroupProtocol),
            store,
            decoder,
            feed,
            loggers.CreateLogger<ProjectionLoop>(),
            faults,
            telemetry,
            lag,
            publisher);
        Volatile.Write(ref _loop, loop);
        try
        {
            if (publisher is not null)
            {
                await publisher.EnsureContractAsync(stoppingToken);
            }

            await Task.Factory.StartNew(() => loop.Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogFatal(_logger, e);
            lifetime.StopApplication();
        }
    }

    [LoggerMessage(EventId = 220, Level = LogLevel.Critical, Message = "The status projection stopped on a fatal error; stopping the application")]
    private static partial void LogFatal(ILogger logger, Exception exception);
}
