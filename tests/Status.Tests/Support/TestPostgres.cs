using Npgsql;

namespace Streaming.Status.Tests.Support;

/// <summary>
/// The PostgreSQL server the tests use: TEST_POSTGRES_CONNECTION (scripts/postgres-for-tests.sh starts a throwaway one
/// and prints it). Each caller gets a schema of its own in that database, dropped when disposed.
/// </summary>
public sealed class TestPostgres : IAsyncDisposable
{
    public const string Variable = "TEST_POSTGRES_CONNECTION";

    private readonly string _admin;

    private TestPostgres(string admin, string schema, string connectionString)
    {
        _admin = admin;
        Schema = schema;
        ConnectionString = connectionString;
    }

    public string Schema { get; }

    /// <summary>A connection string whose search path is this instance's schema.</summary>
    public string ConnectionString { get; }

    /// <summary>The configured server, or a failure saying how to get one: a skipped PostgreSQL suite proves nothing.</summary>
    public static string RequireConnectionString() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set, so the PostgreSQL store tests cannot run. Start a throwaway server and export its " +
                $"connection string: export {Variable}=\"$(scripts/postgres-for-tests.sh)\" (installs the Debian package " +
                "'postgresql' when run as root; test.sh does this for you).");

    public static async Task<TestPostgres> CreateAsync()
    {
        var admin = RequireConnectionString();
        var schema = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await create.ExecuteNonQueryAsync();
        }

        var scoped = new NpgsqlConnectionStringBuilder(admin) { SearchPath = schema }.ToString();
        return new TestPostgres(admin, schema, scoped);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
