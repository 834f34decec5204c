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

    protected override async Task<HashSet<string>> InsertEventsAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<ProjectedEvent> events, long nowMs, CancellationToken cancellationToken)
    {
        var fresh = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in events.Chunk(RowsPerStatement))
        {
            await using var command = RowsCommand(
                connection, transaction, $"INSERT INTO document_events ({EventColumns}, applied_at) ", " ON CONFLICT DO NOTHING RETURNING event_id",
                chunk.Select(e => EventValues(e, nowMs)).ToList());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                fresh.Add(reader.GetString(0));
            }
        }

        return fresh;
    }

    protected override async Task<Dictionary<string, DocumentSnapshot?>> ReadDocumentsAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<string> tokens, CancellationToken cancellationToken)
    {
        var documents = new Dictionary<string, DocumentSnapshot?>(StringComparer.Ordinal);
        foreach (var chunk in tokens.Chunk(RowsPerStatement))
        {
            await using var command = Command(connection, transaction, $"SELECT {DocumentColumns} FROM documents WHERE token = ANY(@tokens)");
            command.Parameters.Add(new NpgsqlParameter("@tokens", chunk));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var document = ReadDocument(reader);
                documents[document.DocumentToken] = document;
            }
        }

        return documents;
    }

    protected override async Task WriteRowsAsync(
        DbConnection connection, DbTransaction transaction, string prefix, string suffix, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        foreach (var chunk in rows.Chunk(RowsPerStatement))
        {
            await using var command = RowsCommand(connection, transaction, prefix, suffix, chunk);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// "prefix SELECT * FROM unnest(@a0, @a1, ...) suffix": one array parameter per column whatever the number of rows,
    /// instead of one parameter per value (12,000 for 500 documents).
    /// </summary>
    private static NpgsqlCommand RowsCommand(DbConnection connection, DbTransaction transaction, string prefix, string suffix, IReadOnlyList<object?[]> rows)
    {
        var command = (NpgsqlCommand)Command(connection, transaction, "");
        var names = new string[rows[0].Length];
        for (var c = 0; c < names.Length; c++)
        {
            names[c] = "@a" + c.ToString(System.Globalization.CultureInfo.InvariantCulture);
            command.Parameters.Add(new NpgsqlParameter(names[c], ColumnArray(rows, c)));
        }

        command.CommandText = $"{prefix}SELECT * FROM unnest({string.Join(", ", names)}){suffix}";
        return command;
    }

    /// <summary>A column's values as a typed array (integer[], bigint[] or text[]) for unnest.</summary>
    private static Array ColumnArray(IReadOnlyList<object?[]> rows, int column) =>
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

    protected override async Task BeforeCommitAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<DocumentChange> changes, CancellationToken cancellationToken)
    {
        var payloads = NotificationPayloads(InstanceId, changes).ToArray();
        if (payloads.Length == 0)
        {
            return;
        }

        // Every payload in one round trip (unnest yields them in order).
        await using var command = Command(connection, transaction, "SELECT pg_notify(@c, p) FROM unnest(@p) AS p");
        Add(command, "@c", Channel);
        command.Parameters.Add(new NpgsqlParameter("@p", payloads));
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
