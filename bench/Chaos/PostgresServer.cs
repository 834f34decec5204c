using System.Diagnostics;

namespace Streaming.Chaos;

/// <summary>
/// A throwaway PostgreSQL server of this run alone (scripts/postgres-for-tests.sh with a private TMPDIR), so the
/// store-unavailable fault can stop and start it (pg_ctl) without touching anyone else's server.
/// </summary>
internal sealed class PostgresServer : IDisposable
{
    private readonly string _repo;
    private readonly string _tmp;
    private readonly string _bin;
    private readonly string _dir;
    private readonly string _port;

    private PostgresServer(string repo, string tmp, string connectionString)
    {
        _repo = repo;
        _tmp = tmp;
        ConnectionString = connectionString;
        var state = Path.Combine(tmp, "streaming-test-postgres");
        _bin = File.ReadAllText(Path.Combine(state, "bin")).Trim();
        _dir = File.ReadAllText(Path.Combine(state, "dir")).Trim();
        _port = File.ReadAllText(Path.Combine(state, "port")).Trim();
    }

    public string ConnectionString { get; }

    public static PostgresServer Start(string repo, string workDirectory)
    {
        var tmp = Path.Combine(workDirectory, "pg");
        Directory.CreateDirectory(tmp);
        var connection = Run(Path.Combine(repo, "scripts/postgres-for-tests.sh"), [], tmp).Trim();
        return new PostgresServer(repo, tmp, connection);
    }

    /// <summary>Stops the server at once (connections cut, as when the database host goes away).</summary>
    public void Stop() => PgCtl("-m", "immediate", "stop");

    public void Restart() => PgCtl("-l", Path.Combine(_dir, "server.log"), "-w", "-t", "60",
        "-o", $"-c listen_addresses=127.0.0.1 -p {_port} -k {_dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", "start");

    public void Dispose()
    {
        try
        {
            Run(Path.Combine(_repo, "scripts/postgres-for-tests.sh"), ["--stop"], _tmp);
        }
        catch (InvalidOperationException)
        {
            // Best effort at the end of a run.
        }
    }

    private void PgCtl(params string[] args)
    {
        var asRoot = Environment.UserName == "root";
        var file = asRoot ? "runuser" : Path.Combine(_bin, "pg_ctl");
        var list = new List<string>();
        if (asRoot)
        {
            list.AddRange(["-u", "postgres", "--", Path.Combine(_bin, "pg_ctl")]);
        }

        list.AddRange(["-D", Path.Combine(_dir, "data")]);
        list.AddRange(args);
        Run(file, list, _tmp);
    }

    private static string Run(string file, IEnumerable<string> args, string tmp)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["TMPDIR"] = tmp;
        info.Environment.Remove("TEST_POSTGRES_CONNECTION");
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(180_000))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} did not finish within 3 minutes");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', info.ArgumentList)} exited with {process.ExitCode}: {stderr.Result}");
        }

        return stdout.Result;
    }
}
