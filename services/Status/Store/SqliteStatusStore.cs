using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Streaming.Status.Store;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, so gRPC readers never wait for the projection's writes.
/// synchronous=NORMAL may lose the last commits on power loss, but a batch and its offsets are lost together,
/// so the projection re-reads them from Kafka: durability of the projection is Kafka's.
/// </summary>
public sealed class SqliteStatusStore : SqlStatusStore
{
    private readonly string _connectionString;

    public SqliteStatusStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        Path = full;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
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
        }

        return connection;
    }

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }
}
