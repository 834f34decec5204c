using Microsoft.Data.Sqlite;

namespace Streaming.SchemaRegistry.Server;

/// <summary>
/// A store in one SQLite file, so the embedded registry's schemas and ids survive restarts.
/// One process owns the file; ids come from AUTOINCREMENT and are never reused.
/// </summary>
public sealed class SqliteSchemaStore : ISchemaStore, IDisposable
{
    // The global compatibility level is kept under a subject name no registry subject can have.
    private const string GlobalConfigKey = "";

    private readonly string _connectionString;

    public SqliteSchemaStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        }.ToString();

        using var connection = Open();
        Execute(connection, """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS schemas (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                schema_type TEXT NOT NULL,
                schema      TEXT NOT NULL,
                normalized  TEXT NOT NULL UNIQUE
            );
            CREATE TABLE IF NOT EXISTS subject_versions (
                subject   TEXT NOT NULL,
                version   INTEGER NOT NULL,
                schema_id INTEGER NOT NULL REFERENCES schemas (id),
                deleted   INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (subject, version)
            );
            CREATE TABLE IF NOT EXISTS config (
                subject       TEXT PRIMARY KEY,
                compatibility TEXT NOT NULL
            );
            """);
    }

    public async Task<StoredSchema?> GetSchemaAsync(int id, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = Command(connection, "SELECT id, schema, schema_type FROM schemas WHERE id = $id", ("$id", id));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredSchema(reader.GetInt32(0), reader.GetString(1), reader.GetString(2))
            : null;
    }

    public async Task<IReadOnlyList<string>> GetSubjectsAsync(bool includeDeleted, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = Command(connection, includeDeleted
            ? "SELECT DISTINCT subject FROM subject_versions ORDER BY subject"
            : "SELECT DISTINCT subject FROM subject_versions WHERE deleted = 0 ORDER BY subject");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var subjects = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            subjects.Add(reader.GetString(0));
        }

        return subjects;
    }

    public async Task<IReadOnlyList<SubjectVersion>> GetVersionsAsync(string subject, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = Command(connection,
            "SELECT version, schema_id, deleted FROM subject_versions WHERE subject = $subject ORDER BY version",
            ("$subject", subject));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new List<SubjectVersion>();
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(new SubjectVersion(subject, reader.GetInt32(0), reader.GetInt32(1), reader.GetBoolean(2)));
        }

        return versions;
    }

    public async Task<SubjectVersion> AddVersionAsync(string subject, string schema, string normalizedSchema, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);

        await using (var insert = Command(connection,
            "INSERT INTO schemas (schema_type, schema, normalized) VALUES ('AVRO', $schema, $normalized) ON CONFLICT (normalized) DO NOTHING",
            ("$schema", schema), ("$normalized", normalizedSchema)))
        {
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        int id;
        await using (var select = Command(connection, "SELECT id FROM schemas WHERE normalized = $normalized", ("$normalized", normalizedSchema)))
        {
            id = Convert.ToInt32(await select.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }

        int version;
        await using (var next = Command(connection,
            "SELECT COALESCE(MAX(version), 0) + 1 FROM subject_versions WHERE subject = $subject", ("$subject", subject)))
        {
            version = Convert.ToInt32(await next.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }

        await using (var add = Command(connection,
            "INSERT INTO subject_versions (subject, version, schema_id) VALUES ($subject, $version, $id)",
            ("$subject", subject), ("$version", version), ("$id", id)))
        {
            await add.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new SubjectVersion(subject, version, id, Deleted: false);
    }

    public async Task SoftDeleteAsync(string subject, IReadOnlyCollection<int> versions, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        foreach (var version in versions)
        {
            await using var command = Command(connection,
                "UPDATE subject_versions SET deleted = 1 WHERE subject = $subject AND version = $version",
                ("$subject", subject), ("$version", version));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<CompatibilityLevel?> GetCompatibilityAsync(string? subject, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = Command(connection,
            "SELECT compatibility FROM config WHERE subject = $subject", ("$subject", subject ?? GlobalConfigKey));
        return await command.ExecuteScalarAsync(cancellationToken) is string name
            && CompatibilityLevelNames.TryParse(name, out var level)
            ? level
            : null;
    }

    public async Task SetCompatibilityAsync(string? subject, CompatibilityLevel? level, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = level is { } set
            ? Command(connection,
                "INSERT INTO config (subject, compatibility) VALUES ($subject, $level) ON CONFLICT (subject) DO UPDATE SET compatibility = excluded.compatibility",
                ("$subject", subject ?? GlobalConfigKey), ("$level", CompatibilityLevelNames.ToName(set)))
            : Command(connection, "DELETE FROM config WHERE subject = $subject", ("$subject", subject ?? GlobalConfigKey));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Closes pooled connections, so the file can be moved or deleted.</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = Command(connection, sql);
        command.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }
}
