using System.Data.Common;
using System.Text;
using Npgsql;
using Streaming.Status.Projection;

namespace Streaming.Status.Store;

/// <summary>
/// The shared store for several replicas. Each replica applies the partitions Kafka assigned it; the offsets row
/// guard makes a replica that lost a partition mid-batch roll back instead of applying it twice. Every batch
/// NOTIFYs <see cref="Channel"/> in its transaction, so other replicas' watchers hear of the change after commit.
/// </summary>
public sealed class PostgresStatusStore : SqlStatusStore
{
    /// <summary>The LISTEN/NOTIFY channel of committed changes.</summary>
    public const string Channel = "streaming_status_changes";

    // PostgreSQL refuses payloads of 8000 bytes or more.
    private const int MaxPayloadBytes = 7000;
    private const long MigrationLockKey = 0x5354_4154_5553; // "STATUS"

    private readonly NpgsqlDataSource _dataSource;

    public PostgresStatusStore(string connectionString, string instanceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        _dataSource = NpgsqlDataSource.Create(connectionString);
        ConnectionString = connectionString;
        InstanceId = instanceId;
    }

    public string ConnectionString { get; }

    /// <summary>Names this replica in notifications, so it skips its own.</summary>
    public string InstanceId { get; }

    public override string Kind => "postgresql";

    // Rows per multi-row statement: one round trip for a consumed batch of the default size.
    private const int RowsPerStatement = 500;

    protected override string KeyType => "TEXT COLLATE \"C\"";

    // A batch takes three round trips: its first writes and reads, its last writes, the commit. Each is an NpgsqlBatch
    // (statements sent together, answered together): a round trip on a busy machine costs about as much as a statement.

    protected override async Task<(HashSet<string> Fresh, Dictionary<string, DocumentSnapshot?> Documents)> WriteEventsAsync(
        DbConnection connection, DbTransaction transaction, ProjectionBatch batch, CancellationToken cancellationToken)
    {
        // In order: the offsets (a lost race waits on the row lock here, and the batch rolls back below), the dead letters,
        // the events (RETURNING the ids that were new), then every document the batch's events touch.
        await using var round = new NpgsqlBatch((NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        foreach (var progress in batch.Offsets)
        {
            round.BatchCommands.Add(Statement(OffsetSql(progress), OffsetParameters(batch.GroupId, progress, batch.NowMs)));
        }

        foreach (var dead in batch.DeadLetters)
        {
            round.BatchCommands.Add(Statement(DeadLetterSql, DeadLetterParameters(dead)));
        }

        foreach (var chunk in batch.Events.Chunk(RowsPerStatement))
        {
            round.BatchCommands.Add(RowsStatement(InsertEventPrefix, " ON CONFLICT DO NOTHING RETURNING event_id", [.. chunk.Select(e => EventValues(e, batch.NowMs))]));
        }

        foreach (var chunk in batch.Events.Select(e => e.DocumentToken).Distinct(StringComparer.Ordinal).Chunk(RowsPerStatement))
        {
            round.BatchCommands.Add(Statement($"SELECT {DocumentColumns} FROM documents WHERE token = ANY(@tokens)", [("@tokens", chunk)]));
        }

        var fresh = new HashSet<string>(StringComparer.Ordinal);
        var documents = new Dictionary<string, DocumentSnapshot?>(StringComparer.Ordinal);
        await using (var reader = await round.ExecuteReaderAsync(cancellationToken))
        {
            // Rows come from the events' RETURNING (one column) and the documents' SELECT (every column).
            do
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    if (reader.FieldCount == 1)
                    {
                        fresh.Add(reader.GetString(0));
                    }
                    else
                    {
                        var document = ReadDocument(reader);
                        documents[document.DocumentToken] = document;
                    }
                }
            }
            while (await reader.NextResultAsync(cancellationToken));
        }

        for (var i = 0; i < batch.Offsets.Count; i++)
        {
            CheckAdvanced(round.BatchCommands[i].RecordsAffected, batch.GroupId, batch.Offsets[i]);
        }

        return (fresh, documents);
    }

    protected override async Task WriteChangesAsync(
        DbConnection connection,
        DbTransaction transaction,
        IReadOnlyList<object?[]> documents,
        IReadOnlyList<object?[]> outbox,
        IReadOnlyList<DocumentChange> changes,
        CancellationToken cancellationToken)
    {
        await using var round = new NpgsqlBatch((NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        foreach (var chunk in documents.Chunk(RowsPerStatement))
        {
            round.BatchCommands.Add(RowsStatement(UpsertDocumentPrefix, UpsertDocumentSuffix, chunk));
        }

        foreach (var chunk in outbox.Chunk(RowsPerStatement))
        {
            round.BatchCommands.Add(RowsStatement(UpsertOutboxPrefix, UpsertOutboxSuffix, chunk));
        }

        // Other replicas' watchers hear of the changes after the commit (unnest yields the payloads in order).
        var payloads = NotificationPayloads(InstanceId, changes).ToArray();
        if (payloads.Length > 0)
        {
            round.BatchCommands.Add(Statement("SELECT pg_notify(@c, p) FROM unnest(@p) AS p", [("@c", Channel), ("@p", payloads)]));
        }

        if (round.BatchCommands.Count > 0)
        {
            await round.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    protected override async Task WriteRowsAsync(
        DbConnection connection, DbTransaction transaction, string prefix, string suffix, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        foreach (var chunk in rows.Chunk(RowsPerStatement))
        {
            await using var command = (NpgsqlCommand)Command(connection, transaction, "");
            command.CommandText = RowsSql(command.Parameters, prefix, suffix, chunk);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static NpgsqlBatchCommand Statement(string sql, IEnumerable<(string Name, object? Value)> parameters)
    {
        var statement = new NpgsqlBatchCommand(sql);
        foreach (var (name, value) in parameters)
        {
            statement.Parameters.Add(new NpgsqlParameter(name, value ?? DBNull.Value));
        }

        return statement;
    }

    private static NpgsqlBatchCommand RowsStatement(string prefix, string suffix, object?[][] rows)
    {
        var statement = new NpgsqlBatchCommand();
        statement.CommandText = RowsSql(statement.Parameters, prefix, suffix, rows);
        return statement;
    }

    /// <summary>
    /// "prefix SELECT * FROM unnest(@a0, @a1, ...) suffix", adding its parameters: one array parameter per column whatever
    /// the number of rows, instead of one parameter per value (12,000 for 500 documents).
    /// </summary>
    private static string RowsSql(NpgsqlParameterCollection parameters, string prefix, string suffix, object?[][] rows)
    {
        var names = new string[rows[0].Length];
        for (var c = 0; c < names.Length; c++)
        {
            names[c] = "@a" + c.ToString(System.Globalization.CultureInfo.InvariantCulture);
            parameters.Add(new NpgsqlParameter(names[c], ColumnArray(rows, c)));
        }

        return $"{prefix}SELECT * FROM unnest({string.Join(", ", names)}){suffix}";
    }

    /// <summary>A column's values as a typed array (integer[], bigint[] or text[]) for unnest.</summary>
    private static Array ColumnArray(object?[][] rows, int column) =>
        rows.Select(r => r[column]).FirstOrDefault(v => v is not null) switch
        {
            int => rows.Select(r => (int)r[column]!).ToArray(),
            long => rows.Select(r => (long)r[column]!).ToArray(),
            _ => rows.Select(r => (string?)r[column]).ToArray(),
        };

    protected override async ValueTask<DbConnection> OpenAsync(bool write, CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    protected override async Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT pg_advisory_xact_lock(@k)");
        Add(command, "@k", MigrationLockKey);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>"instance\n" then one "token\tevent id" line per change, split to fit NOTIFY's payload limit.</summary>
    internal static IEnumerable<string> NotificationPayloads(string instanceId, IReadOnlyList<DocumentChange> changes)
    {
        var payload = new StringBuilder(instanceId).Append('\n');
        var empty = payload.Length;
        var headerBytes = Encoding.UTF8.GetByteCount(payload.ToString());
        var bytes = headerBytes;
        foreach (var change in changes)
        {
            var line = $"{Uri.EscapeDataString(change.Document.DocumentToken)}\t{Uri.EscapeDataString(change.Event?.EventId ?? "")}\n";
            // Escaped, the line is ASCII: one byte per char.
            if (payload.Length > empty && bytes + line.Length > MaxPayloadBytes)
            {
                yield return payload.ToString();
                payload.Length = empty;
                bytes = headerBytes;
            }

            payload.Append(line);
            bytes += line.Length;
        }

        if (payload.Length > empty)
        {
            yield return payload.ToString();
        }
    }

    /// <summary>A connection of its own for LISTEN (not from the pool's working set).</summary>
    internal async Task<NpgsqlConnection> OpenListenerAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false, KeepAlive = 30 }.ToString());
        await connection.OpenAsync(cancellationToken);
        await using var listen = new NpgsqlCommand($"LISTEN {Channel}", connection);
        await listen.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
