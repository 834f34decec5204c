using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Streaming.Status.Projection;

namespace Streaming.Status.Store;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, so gRPC readers never wait for the projection's writes.
/// synchronous=NORMAL may lose the last commits on power loss, but a batch and its offsets are lost together,
/// so the projection re-reads them from Kafka: durability of the projection is Kafka's.
/// The file is opened through SQLite's "unix-excl" VFS: while the store has it open (a running service does), the
/// process holds it exclusively (connections inside the process share it; another process is refused with "database
/// is locked") and the WAL index lives in memory. Each read then takes its locks in memory instead of through fcntl
/// system calls on the file and a shared-memory file: a GetDocumentStatus call costs about 40 % less CPU.
/// </summary>
public sealed class SqliteStatusStore : SqlStatusStore
{
    // How long a statement waits for a lock held by another connection (the projection's writes, a checkpoint).
    private const int BusyTimeoutSeconds = 30;

    private readonly string _connectionString;
    private readonly string _fileUri;

    // GetDocumentStatus is the hot path: keep open connections with the statement prepared instead of
    // opening, parsing and preparing per call.
    private readonly ConcurrentBag<DocumentReader> _readers = [];

    public SqliteStatusStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        Path = full;
        // A URI file name (Microsoft.Data.Sqlite opens with SQLITE_OPEN_URI) naming the VFS.
        _fileUri = new Uri(full).AbsoluteUri + "?vfs=unix-excl";
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _fileUri,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = BusyTimeoutSeconds,
        }.ToString();
    }

    public string Path { get; }

    public override string Kind => "sqlite";

    protected override string KeyType => "TEXT";

    /// <summary>A plain open connection, for bulk loads (benchmarks) and inspection (tests).</summary>
    internal SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    protected override async ValueTask<DbConnection> OpenAsync(bool write, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        if (write)
        {
            await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL", cancellationToken);
            // The projection's rows are written on the handle itself (Execute below): SQLite waits for a lock there too.
            SqliteException.ThrowExceptionForRC(raw.sqlite3_busy_timeout(connection.Handle, BusyTimeoutSeconds * 1000), connection.Handle);
        }

        return connection;
    }

    // The projection's rows go through SQLitePCLRaw on the transaction's own connection: one single-row statement per kind
    // of row, prepared once per call, bound by position and stepped for each row. Microsoft.Data.Sqlite binds each
    // parameter by name, a linear search of the statement's names, so multi-row statements cost time quadratic in their
    // parameters (a fifth of the projection's CPU at 2,000 events/s); in process there is no round trip for them to save.
    protected override async Task<(HashSet<string> Fresh, Dictionary<string, DocumentSnapshot?> Documents)> WriteEventsAsync(
        DbConnection connection, DbTransaction transaction, ProjectionBatch batch, CancellationToken cancellationToken)
    {
        await AdvanceOffsetsAsync(connection, transaction, batch.GroupId, batch.Offsets, batch.NowMs, cancellationToken);
        await InsertDeadLettersAsync(connection, transaction, batch.DeadLetters, cancellationToken);
        var fresh = InsertEvents(connection, batch.Events, batch.NowMs, cancellationToken);
        var tokens = batch.Events.Where(e => fresh.Contains(e.EventId)).Select(e => e.DocumentToken).Distinct(StringComparer.Ordinal);
        return (fresh, ReadDocuments(connection, tokens, cancellationToken));
    }

    private static HashSet<string> InsertEvents(DbConnection connection, IReadOnlyList<ProjectedEvent> events, long nowMs, CancellationToken cancellationToken)
    {
        var fresh = new HashSet<string>(StringComparer.Ordinal);
        if (events.Count == 0)
        {
            return fresh;
        }

        using var insert = new RowStatement(connection, $"{InsertEventPrefix}VALUES ({Positions(15)}) ON CONFLICT DO NOTHING");
        foreach (var e in events)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (insert.Execute(EventValues(e, nowMs)) == 1)
            {
                fresh.Add(e.EventId);
            }
        }

        return fresh;
    }

    private static Dictionary<string, DocumentSnapshot?> ReadDocuments(DbConnection connection, IEnumerable<string> tokens, CancellationToken cancellationToken)
    {
        var documents = new Dictionary<string, DocumentSnapshot?>(StringComparer.Ordinal);
        using var select = new RowStatement(connection, SelectDocumentSql);
        foreach (var token in tokens)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (select.ReadDocument(token) is { } document)
            {
                documents[token] = document;
            }
        }

        return documents;
    }

    protected override Task WriteRowsAsync(
        DbConnection connection, DbTransaction transaction, string prefix, string suffix, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return Task.CompletedTask;
        }

        using var write = new RowStatement(connection, $"{prefix}VALUES ({Positions(rows[0].Length)}){suffix}");
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            write.Execute(row);
        }

        return Task.CompletedTask;
    }

    private const string SelectDocumentSql = $"SELECT {DocumentColumns} FROM documents WHERE token = ?1";

    // "?1, ?2, ..., ?n"
    private static string Positions(int count) => string.Join(", ", Enumerable.Range(1, count).Select(i => "?" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    public override async Task MigrateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await base.MigrateAsync(cancellationToken);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 5)
        {
            throw new InvalidOperationException(
                $"the SQLite status store {Path} is locked by another process: the embedded store keeps its file to itself while " +
                "the service runs. Stop the other process, or give this one its own Status:SqlitePath.", e);
        }
    }

    public override Task<DocumentSnapshot?> GetDocumentAsync(string documentToken, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_readers.TryTake(out var reader))
        {
            reader = new DocumentReader(_fileUri);
        }

        try
        {
            var document = reader.Read(documentToken);
            _readers.Add(reader);
            return Task.FromResult(document);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    public override ValueTask DisposeAsync()
    {
        while (_readers.TryTake(out var reader))
        {
            reader.Dispose();
        }

        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// GetDocumentStatus's read, on SQLitePCLRaw (the layer under Microsoft.Data.Sqlite) with the statement prepared once.
    /// The connection is opened without SQLite's per-connection mutex (SQLITE_OPEN_NOMUTEX): a reader is used by one
    /// thread at a time (taken from and returned to the bag), and a row's 24 columns otherwise cost 24 mutex round trips.
    /// </summary>
    private sealed class DocumentReader : IDisposable
    {
        private readonly sqlite3 _database;
        private readonly RowStatement _select;

        public DocumentReader(string fileUri)
        {
            SQLitePCL.Batteries_V2.Init();
            var rc = raw.sqlite3_open_v2(fileUri, out _database, raw.SQLITE_OPEN_READWRITE | raw.SQLITE_OPEN_NOMUTEX | raw.SQLITE_OPEN_URI, null);
            try
            {
                SqliteException.ThrowExceptionForRC(rc, _database);
                SqliteException.ThrowExceptionForRC(raw.sqlite3_busy_timeout(_database, BusyTimeoutSeconds * 1000), _database);
                _select = new RowStatement(_database, SelectDocumentSql);
            }
            catch
            {
                _database.Dispose();
                throw;
            }
        }

        public DocumentSnapshot? Read(string token) => _select.ReadDocument(token);

        public void Dispose()
        {
            _select.Dispose();
            _database.Dispose();
        }
    }

    /// <summary>One prepared statement on a connection's handle, run once per row (bound by position, stepped, reset).</summary>
    private sealed class RowStatement : IDisposable
    {
        private readonly sqlite3 _database;
        private readonly sqlite3_stmt _statement;

        public RowStatement(DbConnection connection, string sql)
            : this(((SqliteConnection)connection).Handle!, sql)
        {
        }

        public RowStatement(sqlite3 database, string sql)
        {
            _database = database;
            SqliteException.ThrowExceptionForRC(raw.sqlite3_prepare_v2(_database, sql, out _statement), _database);
        }

        /// <summary>Runs the statement for one row; the rows it changed. The statement is reset after each row (a reader's
        /// read transaction ends at once: a statement left stepping would hold back checkpoints).</summary>
        public int Execute(object?[] values)
        {
            try
            {
                Bind(values);
                var rc = raw.sqlite3_step(_statement);
                SqliteException.ThrowExceptionForRC(rc == raw.SQLITE_DONE ? raw.SQLITE_OK : rc, _database);
                return raw.sqlite3_changes(_database);
            }
            finally
            {
                raw.sqlite3_reset(_statement);
            }
        }

        /// <summary>The document row a one-parameter SELECT of <see cref="DocumentColumns"/> finds, if any.</summary>
        public DocumentSnapshot? ReadDocument(string token)
        {
            try
            {
                Bind([token]);
                var rc = raw.sqlite3_step(_statement);
                if (rc == raw.SQLITE_ROW)
                {
                    return SqlStatusStore.ReadDocument(new StatementColumns(_statement));
                }

                SqliteException.ThrowExceptionForRC(rc == raw.SQLITE_DONE ? raw.SQLITE_OK : rc, _database);
                return null;
            }
            finally
            {
                raw.sqlite3_reset(_statement);
            }
        }

        private void Bind(object?[] values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                var rc = values[i] switch
                {
                    null => raw.sqlite3_bind_null(_statement, i + 1),
                    string text => raw.sqlite3_bind_text(_statement, i + 1, text),
                    int number => raw.sqlite3_bind_int64(_statement, i + 1, number),
                    long number => raw.sqlite3_bind_int64(_statement, i + 1, number),
                    var other => throw new ArgumentException($"no SQLite binding for a {other.GetType().Name} value", nameof(values)),
                };
                SqliteException.ThrowExceptionForRC(rc, _database);
            }
        }

        public void Dispose() => _statement.Dispose();
    }

    private readonly struct StatementColumns(sqlite3_stmt statement) : IRowColumns
    {
        public string Text(int column) => raw.sqlite3_column_text(statement, column).utf8_to_string();

        public long Number(int column) => raw.sqlite3_column_int64(statement, column);

        public int SmallNumber(int column) => raw.sqlite3_column_int(statement, column);
    }
}
