using Npgsql;
using Streaming.Status.Projection;
using Streaming.Status.Store;

namespace Streaming.Status.Watching;

/// <summary>
/// With PostgreSQL, replicas share the store but each projects only its own partitions: this LISTENs for the
/// changes other replicas commit and hands them to this replica's watchers. Reconnects with backoff; a change
/// notified while disconnected is not replayed (the watcher's next change or a re-watch shows the state).
/// </summary>
public sealed partial class PostgresChangeListener(IStatusStore anyStore, ChangeFeed feed, ILogger<PostgresChangeListener> logger) : BackgroundService
{
    private readonly PostgresStatusStore? _store = anyStore as PostgresStatusStore;

    private volatile bool _listening;

    /// <summary>True once LISTEN is in place.</summary>
    public bool Listening => _listening;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_store is not { } store)
        {
            return; // SQLite: one process, every change is published where it is made
        }

        var backoff = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await store.OpenListenerAsync(stoppingToken);
                var received = System.Threading.Channels.Channel.CreateUnbounded<string>(new() { SingleReader = true });
                connection.Notification += (_, e) => received.Writer.TryWrite(e.Payload);
                _listening = true;
                backoff = TimeSpan.FromMilliseconds(200);
                var reading = ForwardAsync(store, received.Reader, stoppingToken);
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }

                received.Writer.TryComplete();
                await reading;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or System.IO.IOException or TimeoutException)
            {
                _listening = false;
                LogReconnecting(logger, backoff.TotalMilliseconds, e);
                await Task.Delay(backoff, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    private async Task ForwardAsync(PostgresStatusStore store, System.Threading.Channels.ChannelReader<string> payloads, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var payload in payloads.ReadAllAsync(cancellationToken))
            {
                try
                {
                    await ForwardOneAsync(store, payload, cancellationToken);
                }
                catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
                {
                    LogForwardFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task ForwardOneAsync(PostgresStatusStore store, string payload, CancellationToken cancellationToken)
    {
        var lines = payload.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length < 2 || lines[0] == store.InstanceId)
        {
            return; // our own changes were published when we committed them
        }

        var pairs = lines.Skip(1).Select(l => l.Split('\t')).Where(p => p.Length == 2)
            .Select(p => (Token: Uri.UnescapeDataString(p[0]), EventId: Uri.UnescapeDataString(p[1]))).ToList();
        var events = (await store.GetEventsAsync(pairs.Select(p => p.EventId).Where(id => id.Length > 0).Distinct().ToList(), cancellationToken))
            .ToDictionary(e => e.EventId, StringComparer.Ordinal);
        var changes = new List<DocumentChange>();
        foreach (var token in pairs.Select(p => p.Token).Distinct(StringComparer.Ordinal))
        {
            // The state now (it may already include later changes): one message per document and notification.
            if (await store.GetDocumentAsync(token, cancellationToken) is { } document)
            {
                var last = pairs.Last(p => p.Token == token).EventId;
                changes.Add(new DocumentChange(document, events.GetValueOrDefault(last)) { PublishedAtTicks = ChangeFeed.Now() });
            }
        }

        feed.Publish(changes);
    }

    [LoggerMessage(EventId = 230, Level = LogLevel.Warning, Message = "Listening for other replicas' changes failed; reconnecting in {BackoffMs} ms")]
    private static partial void LogReconnecting(ILogger logger, double backoffMs, Exception exception);

    [LoggerMessage(EventId = 231, Level = LogLevel.Warning, Message = "Reading a change notified by another replica failed")]
    private static partial void LogForwardFailed(ILogger logger, Exception exception);
}
