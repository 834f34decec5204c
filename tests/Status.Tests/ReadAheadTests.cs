using Npgsql;
using Streaming.Status.Projection;
using Streaming.Status.Tests.Support;
using Streaming.Testing;

namespace Streaming.Status.Tests;

/// <summary>
/// The projection reads and decodes the next batch while the previous batch's transaction runs. When that transaction
/// fails, what was read ahead is read again after it: a partition only the read-ahead batch held loses nothing.
/// </summary>
public sealed class ReadAheadTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Records_read_while_a_transaction_failed_are_read_again_and_applied_once()
    {
        await using var database = await TestPostgres.CreateAsync();
        using var setup = StatusSetup.Create(partitions: 2, connectionString: database.ConnectionString);
        var faults = new ProjectionFaults();
        await using var host = await StatusHost.StartAsync(setup, new Dictionary<string, string?> { ["Status:BatchSize"] = "3" }, faults: faults);
        using var producer = new EventProducer(setup.Topic, await TestRegistry.UrlAsync());

        // Which partition each document's events go to, as the store recorded it.
        var tokens = Enumerable.Range(0, 24).Select(i => $"read-ahead-{i}").ToList();
        await producer.ProduceAsync(tokens.Select(t => Lifecycle.Event(t, t + "-sent", LifecycleStatus.Pending, 0, type: "LINK_SENT")));
        await Eventually.True(() => host.Loop.Applied == tokens.Count, Wait, "the first events applied");
        var byPartition = new Dictionary<int, List<string>>();
        foreach (var token in tokens)
        {
            var partition = (await host.Store.GetDocumentAsync(token, CancellationToken.None))!.LastEvent.SourcePartition;
            byPartition.TryAdd(partition, []);
            byPartition[partition].Add(token);
        }

        Assert.True(byPartition.Values.All(p => p.Count >= 3) && byPartition.Count == 2, "each partition holds three of the documents");
        var (first, second) = (byPartition[0].Take(3).ToList(), byPartition[1].Take(3).ToList());
        var chosen = first.Concat(second).ToList();

        // Three records of one partition, then three of the other, wait in the consumer while the loop is held: the first
        // batch (three records, the first partition's) will start, the second (only the other partition's) is read while
        // the first one's transaction waits.
        faults.Paused = true;
        await Eventually.True(() => faults.Holding, Wait, "the loop to be held");
        await producer.ProduceAsync(first.Select(t => Lifecycle.Event(t, t + "-viewed", LifecycleStatus.InProgress, 1, type: "LINK_VIEWED")));
        await Task.Delay(TimeSpan.FromSeconds(1));
        await producer.ProduceAsync(second.Select(t => Lifecycle.Event(t, t + "-viewed", LifecycleStatus.InProgress, 1, type: "LINK_VIEWED")));
        await Task.Delay(TimeSpan.FromSeconds(1));

        // The first batch's transaction waits on the offsets table, then its connection is killed: it fails, as when the
        // database restarts under it.
        await using (var locker = new NpgsqlConnection(database.ConnectionString))
        {
            await locker.OpenAsync();
            await using var transaction = await locker.BeginTransactionAsync();
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE consumer_offsets IN ACCESS EXCLUSIVE MODE", locker, transaction))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            faults.Paused = false;
            var blocked = new List<int>();
            await Eventually.True(
                async () =>
                {
                    blocked = await BlockedByAsync(locker, transaction);
                    return blocked.Count == 1;
                },
                Wait,
                "the first batch's transaction to wait on the lock");
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            await using (var kill = new NpgsqlCommand("SELECT pg_terminate_backend(@pid)", locker, transaction))
            {
                kill.Parameters.AddWithValue("pid", blocked[0]);
                await kill.ExecuteNonQueryAsync();
            }

            await transaction.RollbackAsync();
        }

        await Eventually.True(() => host.Loop.Applied == tokens.Count + chosen.Count, Wait, "every event applied after the failure");
        foreach (var token in chosen)
        {
            var document = (await host.Store.GetDocumentAsync(token, CancellationToken.None))!;
            Assert.Equal((LifecycleStatus.InProgress, 2L), (document.Status, document.EventCount));
        }

        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Equal(tokens.Count + chosen.Count, host.Loop.Applied);
        Assert.Equal(0, host.Loop.Duplicates);
    }

    /// <summary>The server processes waiting on a lock this transaction holds.</summary>
    private static async Task<List<int>> BlockedByAsync(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        await using var command = new NpgsqlCommand(
            "SELECT pid FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))", connection, transaction);
        var pids = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            pids.Add(reader.GetInt32(0));
        }

        return pids;
    }
}
