using System.Data.Common;
using System.Globalization;
using System.Text;
using Streaming.Status.Projection;

namespace Streaming.Status.Store;

/// <summary>
/// The store over ADO.NET, shared by SQLite and PostgreSQL: the SQL is the same, the dialects differ in how a
/// connection opens, how migrations are serialized and what happens just before a batch commits.
/// </summary>
public abstract class SqlStatusStore : IStatusStore
{
    protected const string DocumentColumns =
        "token, status, status_changed_at, status_event_id, fold_occurred_at, fold_received_at, fold_event_id, provider, " +
        "last_event_id, last_provider_event_type, last_event_type, last_status, last_occurred_at, last_received_at, last_test, last_subject, " +
        "last_source_topic, last_source_partition, last_source_offset, first_seen_at, updated_at, event_count, test, last_provider_event_id";

    protected const string EventColumns =
        "event_id, token, provider, provider_event_type, event_type, status, occurred_at, received_at, test, subject, source_topic, source_partition, source_offset, provider_event_id";

    protected const string UpsertDocumentPrefix = $"INSERT INTO documents ({DocumentColumns}) ";

    protected const string UpsertOutboxPrefix = "INSERT INTO status_outbox (token, partition_id, version, queued_at) ";

    protected const string UpsertOutboxSuffix =
        " ON CONFLICT (token) DO UPDATE SET partition_id = excluded.partition_id, version = excluded.version, queued_at = excluded.queued_at";

    protected const string InsertEventPrefix = $"INSERT INTO document_events ({EventColumns}, applied_at) ";

    protected const string DeadLetterSql =
        "INSERT INTO status_dead_letters (topic, partition_id, record_offset, record_key, reason, recorded_at) " +
        "VALUES (@t, @p, @o, @k, @r, @at) ON CONFLICT DO NOTHING";

    // Built once (ApplyAsync uses it for every batch); before UpsertDocumentSql, which is built from it.
    protected static readonly string UpsertDocumentSuffix =
        " ON CONFLICT (token) DO UPDATE SET " + string.Join(", ", DocumentColumns.Split(", ").Skip(1).Select(c => $"{c} = excluded.{c}"));

    private static readonly string UpsertDocumentSql = BuildUpsertDocument();

    public abstract string Kind { get; }

    /// <summary>The column type of keys: byte-wise ordered text.</summary>
    protected abstract string KeyType { get; }

    /// <summary>An open connection; for <paramref name="write"/>, one set up for the projection's transactions.</summary>
    protected abstract ValueTask<DbConnection> OpenAsync(bool write, CancellationToken cancellationToken);

    /// <summary>Serializes concurrent migrations (inside the migration transaction).</summary>
    protected virtual Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The batch's first writes: moves its partitions' offsets (<see cref="OffsetConflictException"/> when another
    /// consumer moved one), stores its dead letters and its events (a stored id is skipped), and reads the stored state
    /// of the documents its new events touch. Returns the ids that were new and those documents by token (at least the
    /// new events' documents).
    /// </summary>
    protected abstract Task<(HashSet<string> Fresh, Dictionary<string, DocumentSnapshot?> Documents)> WriteEventsAsync(
        DbConnection connection, DbTransaction transaction, ProjectionBatch batch, CancellationToken cancellationToken);

    /// <summary>
    /// The batch's last writes before the commit: the changed documents (<see cref="UpsertDocumentPrefix"/> rows) and
    /// their outbox rows (<see cref="UpsertOutboxPrefix"/> rows; none when snapshots are not queued).
    /// </summary>
    protected virtual async Task WriteChangesAsync(
        DbConnection connection,
        DbTransaction transaction,
        IReadOnlyList<object?[]> documents,
        IReadOnlyList<object?[]> outbox,
        IReadOnlyList<DocumentChange> changes,
        CancellationToken cancellationToken)
    {
        await WriteRowsAsync(connection, transaction, UpsertDocumentPrefix, UpsertDocumentSuffix, documents, cancellationToken);
        await WriteRowsAsync(connection, transaction, UpsertOutboxPrefix, UpsertOutboxSuffix, outbox, cancellationToken);
    }

    public virtual async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(write: true, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockForMigrationAsync(connection, transaction, cancellationToken);
        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS status_schema (version INTEGER NOT NULL)", cancellationToken);
        await using var read = Command(connection, transaction, "SELECT MAX(version) FROM status_schema");
        var version = await read.ExecuteScalarAsync(cancellationToken) is { } v and not DBNull ? Convert.ToInt32(v, CultureInfo.InvariantCulture) : 0;
        if (version > StoreSchema.CurrentVersion)
        {
            throw new InvalidOperationException(
                $"The status store has schema version {version}, newer than this build's {StoreSchema.CurrentVersion}: run a newer status service.");
        }

        foreach (var (target, statements) in StoreSchema.Migrations.Where(m => m.Version > version))
        {
            foreach (var statement in statements)
            {
                await ExecuteAsync(connection, transaction, statement.Replace("{key}", KeyType, StringComparison.Ordinal), cancellationToken);
            }

            await ExecuteAsync(connection, transaction, "DELETE FROM status_schema", cancellationToken);
            await using var write = Command(connection, transaction, "INSERT INTO status_schema (version) VALUES (@v)");
            Add(write, "@v", target);
            await write.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyDictionary<int, long>> ReadOffsetsAsync(string groupId, string topic, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(write: false, cancellationToken);
        await using var command = Command(connection, null, "SELECT partition_id, next_offset FROM consumer_offsets WHERE group_id = @g AND topic = @t");
        Add(command, "@g", groupId);
        Add(command, "@t", topic);
        var offsets = new Dictionary<int, long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            offsets[reader.GetInt32(0)] = reader.GetInt64(1);
        }

        return offsets;
    }

    public async Task<BatchResult> ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await using var connection = await OpenAsync(write: true, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Offsets first: a replica that lost the race commits nothing (SQLite stops there; PostgreSQL waits on the row
        // lock until the winner commits, sees the moved offset, and the batch rolls back). Then the events, which say
        // which ids are new, and the documents they touch; out-of-order events still read their document's history (rare).
        var (fresh, states) = await WriteEventsAsync(connection, transaction, batch, cancellationToken);
        var changed = new Dictionary<string, DocumentSnapshot>(StringComparer.Ordinal);
        var partitions = new Dictionary<string, int>(StringComparer.Ordinal);
        var changes = new List<DocumentChange>();
        var duplicates = 0;
        foreach (var e in batch.Events)
        {
            // Each new id once: a second copy in the same batch, or an id stored before, is a duplicate.
            if (!fresh.Remove(e.EventId))
            {
                duplicates++;
                continue;
            }

            var current = states.GetValueOrDefault(e.DocumentToken);
            // Out of order: fold the stored history up to this event (the batch's later events are already stored, not yet applied).
            var next = StatusRules.IsInOrder(current, e)
                ? StatusRules.Step(current, e, batch.NowMs)
                : StatusRules.Fold((await ReadHistoryAsync(connection, transaction, e.DocumentToken, cancellationToken)).Where(h => !fresh.Contains(h.EventId)).ToList(), batch.NowMs);
            states[e.DocumentToken] = next;
            changed[e.DocumentToken] = next;
            partitions[e.DocumentToken] = e.SourcePartition;
            changes.Add(new DocumentChange(next, e));
        }

        await WriteChangesAsync(
            connection,
            transaction,
            changed.Values.Select(DocumentValues).ToList(),
            batch.QueueSnapshots ? changed.Values.Select(d => new object?[] { d.DocumentToken, partitions[d.DocumentToken], d.Version, batch.NowMs }).ToList() : [],
            changes,
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new BatchResult(changes, changes.Count, duplicates, batch.DeadLetters.Count);
    }

    public virtual async Task<DocumentSnapshot?> GetDocumentAsync(string documentToken, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(write: false, cancellationToken);
        return await ReadDocumentAsync(connection, null, documentToken, cancellationToken);
    }

    public async Task<IReadOnlyList<ProjectedEvent>> ListEventsAsync(string documentToken, FoldKey? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(write: false, cancellationToken);
        var sql = new StringBuilder($"SELECT {EventColumns} FROM document_events WHERE token = @tok");
        if (after is not null)
        {
            sql.Append(" AND (occurred_at, received_at, event_id) > (@o, @r, @e)");
        }

        sql.Append(" ORDER BY occurred_at, received_at, event_id LIMIT @limit");
        await using var command = Command(connection, null, sql.ToString());
        Add(command, "@tok", documentToken);
        if (after is { } key)
        {
            Add(command, "@o", key.OccurredAtMs);
            Add(command, "@r", key.ReceivedAtMs);
            Add(command, "@e", key.EventId);
        }

        Add(command, "@limit", limit);
        return await ReadEventsAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<DocumentSnapshot>> ListDocumentsAsync(DocumentQuery query, DocumentCursor? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenAsync(write: false, cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder($"SELECT {DocumentColumns} FROM documents WHERE 1 = 1");
        if (query.Statuses.Count > 0)
        {
            var names = query.Statuses.Select((s, i) =>
            {
                Add(command, "@s" + i.ToString(CultureInfo.InvariantCulture), (int)s);
                return "@s" + i.ToString(CultureInfo.InvariantCulture);
            });
            sql.Append(" AND status IN (").AppendJoin(", ", names.ToList()).Append(')');
        }

        if (!string.IsNullOrEmpty(query.Provider))
        {
            sql.Append(" AND provider = @prov");
            Add(command, "@prov", query.Provider);
        }

        if (query.UpdatedSinceMs is { } since)
        {
            sql.Append(" AND updated_at >= @since");
            Add(command, "@since", since);
        }

        if (after is { } cursor)
        {
            sql.Append(" AND (updated_at < @cu OR (updated_at = @cu AND token > @ct))");
            Add(command, "@cu", cursor.UpdatedAtMs);
            Add(command, "@ct", cursor.DocumentToken);
        }

        sql.Append(" ORDER BY updated_at DESC, token LIMIT @limit");
        Add(command, "@limit", limit);
        command.CommandText = sql.ToString();
        var documents = new List<DocumentSnapshot>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            documents.Add(ReadDocument(reader));
        }

        return documents;
    }

    public async Task<IReadOnlyList<ProjectedEvent>> GetEventsAsync(IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        if (eventIds.Count == 0)
        {
            return [];
        }

        await using var connection = await OpenAsync(write: false, cancellationToken);
        await using var command = connection.CreateCommand();
        var names = eventIds.Select((id, i) =>
        {
            Add(command, "@e" + i.ToString(CultureInfo.InvariantCulture), id);
            return "@e" + i.ToString(CultureInfo.InvariantCulture);
        }).ToList();
        command.CommandText = $"SELECT {EventColumns} FROM document_events WHERE event_id IN ({string.Join(", ", names)})";
        return await ReadEventsAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(write: false, cancellationToken);
        await using var command = Command(connection, null,
            "SELECT topic, partition_id, record_offset, record_key, reason, recorded_at FROM status_dead_letters ORDER BY recorded_at, topic, partition_id, record_offset LIMIT @limit");
        Add(command, "@limit", limit);
        var letters = new List<DeadLetter>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            letters.Add(new DeadLetter(
                reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4), reader.GetInt64(5)));
        }

        return letters;
    }

    public async Task<IReadOnlyList<DocumentSnapshot>> ReadUnpublishedAsync(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        if (partitions.Count == 0)
        {
            return [];
        }

        await using var connection = await OpenAsync(write: false, cancellationToken);
        await using var command = connection.CreateCommand();
        var names = partitions.Select((p, i) =>
        {
            Add(command, "@p" + i.ToString(CultureInfo.InvariantCulture), p);
            return "@p" + i.ToString(CultureInfo.InvariantCulture);
        }).ToList();
        command.CommandText =
            $"SELECT {DocumentColumns} FROM documents WHERE token IN (SELECT token FROM status_outbox WHERE partition_id IN ({string.Join(", ", names)})) ORDER BY token";
        var documents = new List<DocumentSnapshot>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            documents.Add(ReadDocument(reader));
        }

        return documents;
    }

    public async Task MarkPublishedAsync(IReadOnlyCollection<PublishedSnapshot> published, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(published);
        if (published.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(write: true, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // One statement per RowsPerStatement acknowledgements; a row queued again meanwhile (a higher version) stays.
        await WriteRowsAsync(
            connection,
            transaction,
            "WITH acknowledged (token, version) AS (",
            // IN lets SQLite find the row by its key; EXISTS (a semi-join on PostgreSQL, where a scalar subquery per row
            // scanned every acknowledgement of the statement) keeps a newer version.
            ") DELETE FROM status_outbox WHERE token IN (SELECT token FROM acknowledged) " +
            "AND EXISTS (SELECT 1 FROM acknowledged a WHERE a.token = status_outbox.token AND a.version >= status_outbox.version)",
            published.Select(p => new object?[] { p.DocumentToken, p.Version }).ToList(),
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(write: false, cancellationToken);
        await ExecuteAsync(connection, null, "SELECT 1", cancellationToken);
    }

    public abstract ValueTask DisposeAsync();

    protected static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    protected static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    protected static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Moves each partition's stored offset from where the batch expects it; another consumer's move is a conflict.</summary>
    protected static async Task AdvanceOffsetsAsync(
        DbConnection connection, DbTransaction transaction, string groupId, IReadOnlyList<PartitionProgress> offsets, long nowMs, CancellationToken cancellationToken)
    {
        foreach (var progress in offsets)
        {
            await using var command = Command(connection, transaction, OffsetSql(progress));
            foreach (var (name, value) in OffsetParameters(groupId, progress, nowMs))
            {
                Add(command, name, value);
            }

            CheckAdvanced(await command.ExecuteNonQueryAsync(cancellationToken), groupId, progress);
        }
    }

    /// <summary>Stores the batch's dead letters (one already stored is kept as it is).</summary>
    protected static async Task InsertDeadLettersAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken)
    {
        foreach (var dead in deadLetters)
        {
            await using var insert = Command(connection, transaction, DeadLetterSql);
            foreach (var (name, value) in DeadLetterParameters(dead))
            {
                Add(insert, name, value);
            }

            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    protected static IEnumerable<(string Name, object? Value)> DeadLetterParameters(DeadLetter dead)
    {
        yield return ("@t", dead.Topic);
        yield return ("@p", dead.Partition);
        yield return ("@o", dead.Offset);
        yield return ("@k", dead.Key);
        yield return ("@r", dead.Reason);
        yield return ("@at", dead.RecordedAtMs);
    }

    protected static string OffsetSql(PartitionProgress progress) => progress.Expected is null
        ? "INSERT INTO consumer_offsets (group_id, topic, partition_id, next_offset, updated_at) VALUES (@g, @t, @p, @next, @now) ON CONFLICT DO NOTHING"
        : "UPDATE consumer_offsets SET next_offset = @next, updated_at = @now WHERE group_id = @g AND topic = @t AND partition_id = @p AND next_offset = @expected";

    protected static IEnumerable<(string Name, object? Value)> OffsetParameters(string groupId, PartitionProgress progress, long nowMs)
    {
        yield return ("@g", groupId);
        yield return ("@t", progress.Topic);
        yield return ("@p", progress.Partition);
        yield return ("@next", progress.Next);
        yield return ("@now", nowMs);
        if (progress.Expected is { } expected)
        {
            yield return ("@expected", expected);
        }
    }

    protected static void CheckAdvanced(int rows, string groupId, PartitionProgress progress)
    {
        if (rows != 1)
        {
            throw new OffsetConflictException(
                $"{progress.Topic}[{progress.Partition}] of group {groupId} is no longer at offset {progress.Expected?.ToString(CultureInfo.InvariantCulture) ?? "(none)"}: another consumer applied it");
        }
    }

    private static async Task<DocumentSnapshot?> ReadDocumentAsync(DbConnection connection, DbTransaction? transaction, string token, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, $"SELECT {DocumentColumns} FROM documents WHERE token = @tok");
        Add(command, "@tok", token);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadDocument(reader) : null;
    }

    /// <summary>
    /// "prefix VALUES (row) suffix" for every row (a statement that inserts from the row, or names it in a WITH), in as
    /// few statements as the dialect finds cheapest.
    /// </summary>
    protected abstract Task WriteRowsAsync(
        DbConnection connection, DbTransaction transaction, string prefix, string suffix, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken);

    private static async Task<IReadOnlyList<ProjectedEvent>> ReadHistoryAsync(DbConnection connection, DbTransaction transaction, string token, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, $"SELECT {EventColumns} FROM document_events WHERE token = @tok");
        Add(command, "@tok", token);
        return await ReadEventsAsync(command, cancellationToken);
    }

    private static async Task<IReadOnlyList<ProjectedEvent>> ReadEventsAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var events = new List<ProjectedEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new ProjectedEvent(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                (LifecycleStatus)reader.GetInt32(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt32(8) != 0, reader.GetString(9),
                reader.GetString(10), reader.GetInt32(11), reader.GetInt64(12), reader.GetString(13)));
        }

        return events;
    }

    protected static DocumentSnapshot ReadDocument(DbDataReader r) => ReadDocument(new ReaderColumns(r));

    /// <summary>A documents row (<see cref="DocumentColumns"/>, in that order) from any source of columns by index.</summary>
    protected static DocumentSnapshot ReadDocument<TRow>(TRow r)
        where TRow : IRowColumns
    {
        var token = r.Text(0);
        var last = new ProjectedEvent(
            r.Text(8), token, r.Text(7), r.Text(9), r.Text(10), (LifecycleStatus)r.SmallNumber(11),
            r.Number(12), r.Number(13), r.SmallNumber(14) != 0, r.Text(15), r.Text(16), r.SmallNumber(17), r.Number(18), r.Text(23));
        return new DocumentSnapshot(
            token,
            (LifecycleStatus)r.SmallNumber(1),
            r.Number(2),
            r.Text(3),
            new FoldKey(r.Number(4), r.Number(5), r.Text(6)),
            last,
            r.Number(19),
            r.Number(20),
            r.Number(21),
            r.SmallNumber(22) != 0);
    }

    /// <summary>The current row's columns by index (every column read here is NOT NULL).</summary>
    protected interface IRowColumns
    {
        string Text(int column);

        long Number(int column);

        int SmallNumber(int column);
    }

    private readonly struct ReaderColumns(DbDataReader reader) : IRowColumns
    {
        public string Text(int column) => reader.GetString(column);

        public long Number(int column) => reader.GetInt64(column);

        public int SmallNumber(int column) => reader.GetInt32(column);
    }

    protected static object?[] EventValues(ProjectedEvent e, long nowMs) =>
    [
        e.EventId, e.DocumentToken, e.Provider, e.ProviderEventType, e.EventType, (int)e.Status, e.OccurredAtMs, e.ReceivedAtMs, e.Test ? 1 : 0,
        e.Subject, e.SourceTopic, e.SourcePartition, e.SourceOffset, e.ProviderEventId, nowMs,
    ];

    private static object?[] DocumentValues(DocumentSnapshot d)
    {
        var e = d.LastEvent;
        return
        [
            d.DocumentToken, (int)d.Status, d.StatusChangedAtMs, d.StatusEventId, d.LastFolded.OccurredAtMs, d.LastFolded.ReceivedAtMs, d.LastFolded.EventId, e.Provider,
            e.EventId, e.ProviderEventType, e.EventType, (int)e.Status, e.OccurredAtMs, e.ReceivedAtMs, e.Test ? 1 : 0, e.Subject,
            e.SourceTopic, e.SourcePartition, e.SourceOffset, d.FirstSeenAtMs, d.UpdatedAtMs, d.EventCount, d.Test ? 1 : 0, e.ProviderEventId,
        ];
    }

    /// <summary>Binds a document row for <see cref="UpsertDocumentSql"/>; used by bulk loads.</summary>
    internal static void BindDocument(DbCommand command, DocumentSnapshot d)
    {
        command.Parameters.Clear();
        var values = DocumentValues(d);
        for (var i = 0; i < values.Length; i++)
        {
            Add(command, "@c" + i.ToString(CultureInfo.InvariantCulture), values[i]);
        }
    }

    internal static string UpsertDocument => UpsertDocumentSql;

    private static string BuildUpsertDocument()
    {
        var values = string.Join(", ", DocumentColumns.Split(", ").Select((_, i) => "@c" + i.ToString(CultureInfo.InvariantCulture)));
        return $"{UpsertDocumentPrefix}VALUES ({values}){UpsertDocumentSuffix}";
    }
}
