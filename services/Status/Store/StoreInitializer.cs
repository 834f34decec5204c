namespace Streaming.Status.Store;

/// <summary>Creates or migrates the store's schema before anything reads or writes it; a failure stops the start.</summary>
public sealed partial class StoreInitializer(IStatusStore store, ILogger<StoreInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken);
        LogReady(logger, store.Kind, StoreSchema.CurrentVersion);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 210, Level = LogLevel.Information, Message = "Status store ({Kind}) at schema version {Version}")]
    private static partial void LogReady(ILogger logger, string kind, int version);
}
