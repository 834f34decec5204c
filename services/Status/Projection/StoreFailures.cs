using Microsoft.Data.Sqlite;
using Npgsql;

namespace Streaming.Status.Projection;

/// <summary>
/// Tells a failure caused by the records being written (the same records fail again whenever they are written) from
/// one caused by the moment (the database down, a lock, a timeout), which a retry outlasts.
/// </summary>
public static class StoreFailures
{
    // SQLite result codes: TOOBIG, CONSTRAINT, MISMATCH, RANGE.
    private static readonly int[] SqliteRecordCodes = [18, 19, 20, 25];

    /// <summary>
    /// True when the error belongs to the data: PostgreSQL's data exceptions and integrity violations (classes 22 and 23,
    /// e.g. a NUL character in a text value), SQLite's too-big/constraint/mismatch/range, and conversions of a value that
    /// does not fit. Everything else (connection, disk, locks, missing tables, timeouts) is the moment's.
    /// </summary>
    public static bool IsRecordSpecific(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState.StartsWith("22", StringComparison.Ordinal) || pg.SqlState.StartsWith("23", StringComparison.Ordinal),
        SqliteException sqlite => SqliteRecordCodes.Contains(sqlite.SqliteErrorCode),
        FormatException or OverflowException or InvalidCastException or ArgumentException => true,
        _ => false,
    };
}
