using System.Diagnostics;

namespace Streaming.Chaos;

/// <summary>
/// One service of the pipeline as a child process (`dotnet &lt;service&gt;.dll` with its settings in the environment),
/// with its output appended to a log file. Knows how to kill it (SIGKILL), stop it (SIGTERM, then wait) and start it
/// again, and how to tell when it is ready (its HTTP /health/ready answers 200).
/// </summary>
internal sealed class ServiceProcess(string name, string dll, IReadOnlyDictionary<string, string> environment, Uri health, string logFile, IReadOnlyList<string>? arguments = null) : IDisposable
{
    private readonly Lock _gate = new();
    private Process? _process;
    private bool _expectedExit;

    public string Name { get; } = name;

    /// <summary>Exits nobody asked for (a crash): counted, and the supervisor starts the service again.</summary>
    public int UnexpectedExits { get; private set; }

    public int Starts { get; private set; }

    public bool Running
    {
        get
        {
            lock (_gate)
            {
                return _process is { HasExited: false };
            }
        }
    }

    public void Start()
    {
        lock (_gate)
        {
            if (_process is { HasExited: false })
            {
                return;
            }

            _process?.Dispose();
            var info = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = Path.GetDirectoryName(dll)!,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.ArgumentList.Add(dll);
            foreach (var argument in arguments ?? [])
            {
                info.ArgumentList.Add(argument);
            }
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }

            var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
            log.WriteLine($"---- {DateTimeOffset.UtcNow:O} start #{Starts + 1}");
            var process = new Process { StartInfo = info, EnableRaisingEvents = true };
            process.OutputDataReceived += (_, e) => Write(log, e.Data);
            process.ErrorDataReceived += (_, e) => Write(log, e.Data);
            process.Exited += (_, _) =>
            {
                lock (_gate)
                {
                    if (!_expectedExit && ReferenceEquals(process, _process))
                    {
                        UnexpectedExits++;
                    }
                }

                Write(log, $"---- {DateTimeOffset.UtcNow:O} exited");
            };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _expectedExit = false;
            _process = process;
            Starts++;
        }
    }

    /// <summary>kill -9: no shutdown code runs (open transactions, uncommitted batches stay as they are).</summary>
    public void Kill()
    {
        Process? process;
        lock (_gate)
        {
            process = _process;
            _expectedExit = true;
        }

        if (process is { HasExited: false })
        {
            Signal(process.Id, 9);
            process.WaitForExit(10_000);
        }
    }

    /// <summary>SIGTERM and wait for the process to finish its graceful stop (killed if it takes longer than <paramref name="grace"/>).</summary>
    public async Task TerminateAsync(TimeSpan grace)
    {
        Process? process;
        lock (_gate)
        {
            process = _process;
            _expectedExit = true;
        }

        if (process is not { HasExited: false })
        {
            return;
        }

        Signal(process.Id, 15);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Signal(process.Id, 9);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Polls /health/ready until it answers 200 (true) or the deadline passes (false).</summary>
    public async Task<bool> WaitReadyAsync(HttpClient http, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync(health, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(100, cancellationToken);
        }

        return false;
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }

    private static void Signal(int pid, int signal)
    {
        if (Native.Kill(pid, signal) != 0)
        {
            // Already gone: nothing to do.
        }
    }
}

internal static partial class Native
{
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
    internal static partial int Kill(int pid, int signal);
}
