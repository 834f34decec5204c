using Microsoft.Extensions.Options;
using Npgsql;
using Streaming.Status.Projection;
using Streaming.Status.Store;

namespace Streaming.Status.Watching;

/// <summary>
/// With PostgreSQL, replicas share the store but each projects only its own partitions: this LISTENs for the
/// changes other replicas commit and hands them to this replica's watchers. Reconnects with backoff. Notifications
/// wait in a bounded backlog (Status:NotificationBacklog) while they are read back; a change lost on the way (the
/// backlog full, or notified while disconnected) ends every watcher's stream with UNAVAILABLE, so a watcher re-watches
/// and re-reads the state instead of missing it silently.
/// </summary>
public sealed partial class PostgresChangeListener(
    IStatusStore anyStore, ChangeFeed feed, IOptions<StatusOptions> options, ILogger<PostgresChangeListener> logger) : BackgroundService
{
    private readonly PostgresStatusStore? _store = anyStore as PostgresStatusStore;
    private long _dropped;

    /// <summary>Notifications dropped because the backlog was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

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
        var reconnected = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await store.OpenListenerAsync(stoppingToken);
                var backlog = options.Value.NotificationBacklog;
                var received = System.Threading.Channels.Channel.CreateBounded<string>(new System.Threading.Channels.BoundedChannelOptions(backlog)
                {
                    SingleReader = true,
                    SingleWriter = true,
                    FullMode = System.Threading.Channels.BoundedChannelFullMode.Wait,
                });
                // Never block here: this runs on the connection's read loop, and a listener that stops reading makes
                // PostgreSQL's notification queue grow until other replicas' commits fail.
                connection.Notification += (_, e) =>
                {
                    if (!received.Writer.TryWrite(e.Payload))
                    {
                        Overflowed(backlog);
                    }
                };
                if (reconnected)
                {
                    Interrupt("the status service lost its connection to PostgreSQL and may have missed changes made by other replicas");
                }

                reconnected = true;
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

    private void Overflowed(int backlog)
    {
        if (Interlocked.Increment(ref _dropped) % 1000 == 1)
        {
            LogOverflow(logger, backlog, Interlocked.Read(ref _dropped));
        }

        Interrupt($"the status service fell more than {backlog} notifications behind other replicas' changes and dropped some");
    }

    private void Interrupt(string what) => feed.InterruptAll(what + "; watch again and re-read the current state");

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

    [LoggerMessage(EventId = 232, Level = LogLevel.Warning, Message = "The backlog of {Backlog} notifications from other replicas is full: dropped {Dropped} so far, watchers told to watch again")]
    private static partial void LogOverflow(ILogger logger, int backlog, long dropped);

    [LoggerMessage(EventId = 231, Level = LogLevel.Warning, Message = "Reading a change notified by another replica failed")]
    private static partial void LogForwardFailed(ILogger logger, Exception exception);
}
