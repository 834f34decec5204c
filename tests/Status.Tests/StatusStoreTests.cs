using Streaming.Status.Projection;
using Streaming.Status.Store;
using Streaming.Status.Tests.Support;
using Streaming.Testing;

namespace Streaming.Status.Tests;

/// <summary>The store suite both stores pass (SQLite and PostgreSQL subclasses below).</summary>
public abstract class StatusStoreTests : IAsyncLifetime
{
    protected const string Group = "status-test";
    protected const string Topic = "documents.events.v1";

    protected IStatusStore Store { get; private set; } = null!;

    /// <summary>A new store object over the same database, as after a restart.</summary>
    protected abstract IStatusStore Reopen();

    protected abstract Task<IStatusStore> CreateAsync();

    protected virtual Task CleanUpAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        Store = await CreateAsync();
        await Store.MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await CleanUpAsync();
    }

    private long _next;

    /// <summary>Applies events as one batch on partition 0, moving its offset past them.</summary>
    protected async Task<BatchResult> ApplyAsync(IReadOnlyList<ProjectedEvent> events, IReadOnlyList<DeadLetter>? dead = null, IStatusStore? store = null, bool queueSnapshots = false)
    {
        var expected = _next == 0 ? (long?)null : _next;
        var next = _next + events.Count + (dead?.Count ?? 0);
        var result = await (store ?? Store).ApplyAsync(
            new ProjectionBatch(Group, events, dead ?? [], [new PartitionProgress(Topic, 0, expected, next)], DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), queueSnapshots),
            CancellationToken.None);
        _next = next;
        return result;
    }

    [Fact]
    public async Task Migration_is_idempotent_and_versioned()
    {
        await Store.MigrateAsync(CancellationToken.None);
        await using var again = Reopen();
        await again.MigrateAsync(CancellationToken.None);
        Assert.Empty(await again.ReadOffsetsAsync(Group, Topic, CancellationToken.None));
    }

    [Fact]
    public async Task Applies_events_and_answers_state_and_history()
    {
        var events = Lifecycle.FiveEvents("doc-a");
        var result = await ApplyAsync([events[0], events[1], events[2]]);

        Assert.Equal(3, result.Applied);
        Assert.Equal(3, result.Changes.Count);
        var state = (await Store.GetDocumentAsync("doc-a", CancellationToken.None))!;
        Assert.Equal(LifecycleStatus.InProgress, state.Status);
        Assert.Equal("doc-a-signed", state.StatusEventId);
        Assert.Equal("doc-a-bounced", state.LastEvent.EventId);
        Assert.Equal("mailer", state.Provider);
        Assert.Equal(3, state.EventCount);
        Assert.True(state.Test);
        Assert.Equal(events[0].ReceivedAtMs, state.FirstSeenAtMs);
        Assert.Equal(events[2], state.LastEvent with { });
        var history = await Store.ListEventsAsync("doc-a", null, 10, CancellationToken.None);
        Assert.Equal(["doc-a-sent", "doc-a-signed", "doc-a-bounced"], history.Select(e => e.EventId));
        Assert.Equal(events[1], history[1]);
        Assert.Null(await Store.GetDocumentAsync("nope", CancellationToken.None));
    }

    [Fact]
    public async Task An_event_applied_twice_changes_nothing()
    {
        var events = Lifecycle.FiveEvents("doc-b");
        await ApplyAsync([events[0], events[3]]);
        var before = await Store.GetDocumentAsync("doc-b", CancellationToken.None);

        var again = await ApplyAsync([events[3], events[0], events[3]]);

        Assert.Equal(0, again.Applied);
        Assert.Equal(3, again.Duplicates);
        Assert.Empty(again.Changes);
        Assert.Equal(before, await Store.GetDocumentAsync("doc-b", CancellationToken.None));
    }

    [Fact]
    public async Task Every_arrival_order_of_a_lifecycle_gives_the_same_state_one_event_per_batch()
    {
        // 120 documents, one per permutation; batch i carries the i-th arrival of every document.
        var orders = Lifecycle.Permutations(Lifecycle.FiveEvents("x")).Select((_, i) => i).ToList();
        var documents = orders.Select(i => Lifecycle.Permutations(Lifecycle.FiveEvents("perm-" + i)).ElementAt(i)).ToList();
        for (var position = 0; position < 5; position++)
        {
            await ApplyAsync(documents.Select(d => d[position]).ToList());
        }

        await AssertAllFinalAsync(documents.Select(d => d[0].DocumentToken));
    }

    [Fact]
    public async Task Every_arrival_order_of_a_lifecycle_gives_the_same_state_all_in_one_batch()
    {
        var documents = Lifecycle.Permutations(Lifecycle.FiveEvents("x")).Select((_, i) => Lifecycle.Permutations(Lifecycle.FiveEvents("one-" + i)).ElementAt(i)).ToList();
        await ApplyAsync(documents.SelectMany(d => d).ToList());
        await AssertAllFinalAsync(documents.Select(d => d[0].DocumentToken));
    }

    private async Task AssertAllFinalAsync(IEnumerable<string> tokens)
    {
        var count = 0;
        foreach (var token in tokens)
        {
            var expected = StatusRules.Fold(Lifecycle.FiveEvents(token), 0).WithoutUpdateTime();
            var state = (await Store.GetDocumentAsync(token, CancellationToken.None))!;
            Assert.Equal(expected, state.WithoutUpdateTime());
            Assert.Equal(LifecycleStatus.Rejected, state.Status);
            count++;
        }

        Assert.Equal(120, count);
    }

    [Fact]
    public async Task Offsets_commit_with_the_batch_and_a_stale_expected_offset_writes_nothing()
    {
        var events = Lifecycle.FiveEvents("doc-c");
        await ApplyAsync([events[0], events[1]]);
        Assert.Equal(2, (await Store.ReadOffsetsAsync(Group, Topic, CancellationToken.None))[0]);

        // A second consumer that still believes the partition is new, or at an older offset.
        foreach (long? stale in new long?[] { null, 0, 1, 3 })
        {
            var batch = new ProjectionBatch(Group, [events[3]], [], [new PartitionProgress(Topic, 0, stale, 9)], 0);
            await Assert.ThrowsAsync<OffsetConflictException>(() => Store.ApplyAsync(batch, CancellationToken.None));
        }

        var state = (await Store.GetDocumentAsync("doc-c", CancellationToken.None))!;
        Assert.Equal(LifecycleStatus.InProgress, state.Status);
        Assert.Equal(2, state.EventCount);
        Assert.Equal(2, (await Store.ReadOffsetsAsync(Group, Topic, CancellationToken.None))[0]);
    }

    [Fact]
    public async Task A_crash_between_the_commit_and_anything_else_neither_loses_nor_double_applies()
    {
        var events = Lifecycle.FiveEvents("doc-d");
        // The batch commits; the process dies before it tells Kafka or anyone else.
        await ApplyAsync([events[0], events[1], events[2]]);
        await Store.DisposeAsync();

        await using var restarted = Reopen();
        var offsets = await restarted.ReadOffsetsAsync(Group, Topic, CancellationToken.None);
        Assert.Equal(3, offsets[0]);

        // The restarted consumer seeks to offset 3 and applies the rest; replaying the old batch is refused.
        var replay = new ProjectionBatch(Group, [events[0], events[1], events[2]], [], [new PartitionProgress(Topic, 0, null, 3)], 0);
        await Assert.ThrowsAsync<OffsetConflictException>(() => restarted.ApplyAsync(replay, CancellationToken.None));
        await ApplyAsync([events[3], events[4]], store: restarted);

        var state = (await restarted.GetDocumentAsync("doc-d", CancellationToken.None))!;
        Assert.Equal(5, state.EventCount);
        Assert.Equal(LifecycleStatus.Rejected, state.Status);
        Assert.Equal(5, (await restarted.ListEventsAsync("doc-d", null, 100, CancellationToken.None)).Count);
        Store = Reopen();
    }

    [Fact]
    public async Task Committed_states_wait_in_the_outbox_until_kafka_acknowledged_their_version_and_survive_a_restart()
    {
        var a = Lifecycle.FiveEvents("doc-out-a");
        var b = Lifecycle.FiveEvents("doc-out-b").Select(e => e with { SourcePartition = 1 }).ToList();
        await ApplyAsync([a[0], a[1], b[0]], queueSnapshots: true);
        await ApplyAsync([a[2]], queueSnapshots: false);

        // After a crash: a new store object over the same database still holds both, each under its own partition.
        await Store.DisposeAsync();
        Store = Reopen();
        var p0 = Assert.Single(await Store.ReadUnpublishedAsync([0], CancellationToken.None));
        Assert.Equal(("doc-out-a", 3L), (p0.DocumentToken, p0.Version));
        Assert.Equal("doc-out-b", Assert.Single(await Store.ReadUnpublishedAsync([1], CancellationToken.None)).DocumentToken);
        Assert.Equal(2, (await Store.ReadUnpublishedAsync([0, 1, 2], CancellationToken.None)).Count);
        Assert.Empty(await Store.ReadUnpublishedAsync([2], CancellationToken.None));

        // An acknowledgement of an older version (the state moved on meanwhile) leaves the row.
        await ApplyAsync([a[3]], queueSnapshots: true);
        await Store.MarkPublishedAsync([new PublishedSnapshot("doc-out-a", 2), new PublishedSnapshot("doc-out-b", 1)], CancellationToken.None);
        Assert.Equal(4, Assert.Single(await Store.ReadUnpublishedAsync([0, 1], CancellationToken.None)).Version);
        await Store.MarkPublishedAsync([new PublishedSnapshot("doc-out-a", 4)], CancellationToken.None);
        Assert.Empty(await Store.ReadUnpublishedAsync([0, 1], CancellationToken.None));
    }

    [Fact]
    public async Task A_snapshot_version_grows_with_every_change_and_is_the_same_for_every_arrival_order()
    {
        var events = Lifecycle.FiveEvents("doc-ver");
        var versions = new List<long>();
        foreach (var e in new[] { events[3], events[0], events[4], events[0], events[2], events[1] })
        {
            var result = await ApplyAsync([e], queueSnapshots: true);
            versions.AddRange(result.Changes.Select(c => c.Document.Version));
        }

        // The repeated event changed nothing, so it made no new version.
        Assert.Equal([1L, 2, 3, 4, 5], versions);
        Assert.Equal(5, Assert.Single(await Store.ReadUnpublishedAsync([0], CancellationToken.None)).Version);
    }

    [Fact]
    public async Task Dead_letters_commit_with_the_batch_and_move_the_offset()
    {
        var events = Lifecycle.FiveEvents("doc-e");
        var result = await ApplyAsync([events[0]], [new DeadLetter(Topic, 0, 1, "doc-e", "not a Confluent wire-format Avro record", 5)]);

        Assert.Equal(1, result.DeadLetters);
        var letter = Assert.Single(await Store.ListDeadLettersAsync(10, CancellationToken.None));
        Assert.Equal((Topic, 0, 1L, "doc-e"), (letter.Topic, letter.Partition, letter.Offset, letter.Key));
        Assert.Contains("wire-format", letter.Reason, StringComparison.Ordinal);
        Assert.Equal(2, (await Store.ReadOffsetsAsync(Group, Topic, CancellationToken.None))[0]);
    }

    [Fact]
    public async Task History_pages_with_a_keyset_cursor_in_occurred_at_order()
    {
        var events = Lifecycle.SevenEvents("doc-f");
        await ApplyAsync(events.Reverse().ToList());

        var seen = new List<string>();
        FoldKey? after = null;
        while (true)
        {
            var page = await Store.ListEventsAsync("doc-f", after, 3, CancellationToken.None);
            seen.AddRange(page.Select(e => e.EventId));
            if (page.Count < 3)
            {
                break;
            }

            after = FoldKey.Of(page[^1]);
        }

        Assert.Equal(events.Select(e => e.EventId), seen);
    }

    [Fact]
    public async Task Documents_list_by_status_provider_and_update_time_most_recent_first()
    {
        await ApplyAsync([Lifecycle.Event("l-1", "l-1a", LifecycleStatus.Pending, 0, provider: "inkless")]);
        await ApplyAsync([Lifecycle.Event("l-2", "l-2a", LifecycleStatus.Completed, 0, provider: "instnt")]);
        await ApplyAsync([Lifecycle.Event("l-3", "l-3a", LifecycleStatus.Completed, 0, provider: "inkless")]);

        var all = await Store.ListDocumentsAsync(new DocumentQuery([], null, null), null, 100, CancellationToken.None);
        Assert.Equal(3, all.Count);
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.UpdatedAtMs >= p.Second.UpdatedAtMs));

        var completed = await Store.ListDocumentsAsync(new DocumentQuery([LifecycleStatus.Completed], null, null), null, 100, CancellationToken.None);
        Assert.Equal(["l-2", "l-3"], completed.Select(d => d.DocumentToken).Order());

        var inklessCompleted = await Store.ListDocumentsAsync(new DocumentQuery([LifecycleStatus.Completed], "inkless", null), null, 100, CancellationToken.None);
        Assert.Equal("l-3", Assert.Single(inklessCompleted).DocumentToken);

        var future = await Store.ListDocumentsAsync(new DocumentQuery([], null, DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds()), null, 100, CancellationToken.None);
        Assert.Empty(future);

        var paged = new List<string>();
        DocumentCursor? cursor = null;
        do
        {
            var page = await Store.ListDocumentsAsync(new DocumentQuery([], null, null), cursor, 2, CancellationToken.None);
            paged.AddRange(page.Select(d => d.DocumentToken));
            cursor = page.Count == 2 ? new DocumentCursor(page[^1].UpdatedAtMs, page[^1].DocumentToken) : null;
        }
        while (cursor is not null);

        Assert.Equal(all.Select(d => d.DocumentToken), paged);
    }
}

public sealed class SqliteStatusStoreTests : StatusStoreTests, IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("status-sqlite-");

    private string DatabasePath => Path.Combine(_directory.FullName, "status.db");

    protected override Task<IStatusStore> CreateAsync() => Task.FromResult<IStatusStore>(new SqliteStatusStore(DatabasePath));

    protected override IStatusStore Reopen() => new SqliteStatusStore(DatabasePath);

    [Fact]
    public async Task The_file_is_the_process_own_while_the_store_has_it_open_and_free_once_closed()
    {
        await ApplyAsync(Lifecycle.FiveEvents("doc-held"));
        Assert.NotNull(await Store.GetDocumentAsync("doc-held", CancellationToken.None));
        await using var second = Reopen();
        Assert.NotNull(await second.GetDocumentAsync("doc-held", CancellationToken.None)); // connections inside the process share it

        // Another process is refused while the store has the file open (the unix-excl VFS), and reads it once it is closed.
        const string probe = """
            import sqlite3, sys
            try:
                print("read", sqlite3.connect(sys.argv[1], timeout=0).execute("SELECT count(*) FROM documents").fetchone()[0])
            except sqlite3.OperationalError as e:
                print("refused", e)
            """;
        Assert.Equal("refused database is locked", ExternalProcess.Run(ExternalProcess.DebianPython, ["-c", probe, DatabasePath]).Trim());
        await second.DisposeAsync();
        await Store.DisposeAsync();
        Assert.Equal("read 1", ExternalProcess.Run(ExternalProcess.DebianPython, ["-c", probe, DatabasePath]).Trim());
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }
}

public sealed class PostgresStatusStoreTests : StatusStoreTests
{
    private TestPostgres? _database;

    protected override async Task<IStatusStore> CreateAsync()
    {
        _database = await TestPostgres.CreateAsync();
        return new PostgresStatusStore(_database.ConnectionString, "test");
    }

    protected override IStatusStore Reopen() => new PostgresStatusStore(_database!.ConnectionString, "test");

    protected override async Task CleanUpAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
