using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Streaming.Contracts.Status.V1;
using Streaming.Status.Store;
using Streaming.Status.Tests.Support;
using Streaming.Status.Watching;
using Streaming.Testing;

namespace Streaming.Status.Tests;

/// <summary>
/// Other replicas' changes reach this replica's watchers through PostgreSQL notifications, held in a bounded backlog
/// while they are read back. A burst past the bound drops notifications and says so: every watcher's stream ends
/// with UNAVAILABLE (watch again), the listener keeps going, and a new watcher hears later changes.
/// </summary>
public sealed class NotificationBacklogTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_burst_past_the_backlog_ends_watchers_with_UNAVAILABLE_and_the_listener_goes_on()
    {
        await using var database = await TestPostgres.CreateAsync();
        using var setup = StatusSetup.Create(partitions: 1, connectionString: database.ConnectionString);
        await using var host = await StatusHost.StartAsync(setup, new Dictionary<string, string?> { ["Status:NotificationBacklog"] = "2" });
        var listener = host.App.Services.GetRequiredService<PostgresChangeListener>();
        await Eventually.True(() => listener.Listening, Wait, "the listener to LISTEN");

        using var cancel = new CancellationTokenSource(Wait);
        using var watch = host.Client.WatchDocumentStatus(new WatchDocumentStatusRequest(), cancellationToken: cancel.Token);
        await Eventually.True(() => host.Feed.WatcherCount == 1, Wait, "the watcher to subscribe");

        // Another replica's commits, as they arrive: 500 notifications in one transaction reach the listener at once.
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT pg_notify(@c, 'replica-x' || chr(10) || 'burst-' || n || chr(9) || 'event-' || n) FROM generate_series(1, 500) AS n", connection);
            command.Parameters.AddWithValue("c", PostgresStatusStore.Channel);
            await command.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await watch.ResponseStream.MoveNext(cancel.Token))
            {
            }
        });
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("fell more than 2 notifications behind", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("watch again", error.Status.Detail, StringComparison.Ordinal);
        Assert.True(listener.Dropped > 0);
        Assert.True(listener.Listening);

        // Still listening: a watcher subscribed afterwards hears of another replica's later change.
        using var producer = new EventProducer(setup.Topic, await TestRegistry.UrlAsync());
        await producer.ProduceAsync(Lifecycle.Event("after-burst", "after-burst-1", Projection.LifecycleStatus.Pending, 0, type: "LINK_SENT"));
        await Eventually.True(() => host.Loop.Applied == 1, Wait, "the event applied");
        using var again = host.Client.WatchDocumentStatus(new WatchDocumentStatusRequest(), cancellationToken: cancel.Token);
        await Eventually.True(() => host.Feed.WatcherCount == 1, Wait, "the new watcher to subscribe");
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT pg_notify(@c, 'replica-x' || chr(10) || 'after-burst' || chr(9) || 'after-burst-1')", connection);
            command.Parameters.AddWithValue("c", PostgresStatusStore.Channel);
            await command.ExecuteNonQueryAsync();
        }

        Assert.True(await again.ResponseStream.MoveNext(cancel.Token));
        Assert.Equal("after-burst", again.ResponseStream.Current.Document.DocumentToken);
    }
}
