using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Streaming.Testing;

namespace Streaming.EndToEnd.Tests;

/// <summary>The one-command platform (services/Platform) as a separate process on free ports, found through its --ready-file.</summary>
public sealed class PlatformProcess(params string[] extraArguments) : IAsyncLifetime
{
    private readonly StringBuilder _log = new();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "e2e-" + Guid.NewGuid().ToString("N")[..8]);
    private Process? _process;

    public string ReadyFile => Path.Combine(_directory, "ready.json");

    public Uri Ingress { get; private set; } = null!;

    public Uri Grpc { get; private set; } = null!;

    /// <summary>The status service's HTTP port: health and the API's JSON face.</summary>
    public Uri StatusHttp { get; private set; } = null!;

    public Uri SchemaRegistry { get; private set; } = null!;

    public string Kafka { get; private set; } = null!;

    /// <summary>The Prometheus scrape endpoint the platform publishes (every part serves the whole process's metrics).</summary>
    public Uri Metrics { get; private set; } = null!;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    /// <summary>From the start of the process to its ready file.</summary>
    public TimeSpan TimeToReady { get; private set; }

    /// <summary>What the process had written when its ready file appeared.</summary>
    public string LogAtReady { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var assembly = typeof(PlatformProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PlatformAssembly").Value!;
        Assert.True(File.Exists(assembly), $"{assembly} is missing: build services/Platform first");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };

        // Published where this test looks, not in the user's well-known place.
        info.Environment["STREAMING_PLATFORM_FILE"] = Path.Combine(_directory, "platform.json");
        foreach (var argument in new[]
        {
            assembly, "--ready-file", ReadyFile,
            "--Platform:IngressPort=0", "--Platform:GrpcPort=0", "--Platform:SchemaRegistryPort=0", "--Platform:NormalizerPort=0", "--Platform:StatusHttpPort=0",
        }.Concat(extraArguments))
        {
            info.ArgumentList.Add(argument);
        }

        var started = Stopwatch.StartNew();
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!File.Exists(ReadyFile))
        {
            Assert.False(_process.HasExited, $"the platform exited with {(_process.HasExited ? _process.ExitCode : 0)} before it was ready:\n{Log}");
            Assert.True(DateTime.UtcNow < deadline, $"the platform did not write its ready file within 60 s:\n{Log}");
            await Task.Delay(20);
        }

        TimeToReady = started.Elapsed;
        // Lines the process wrote before its ready file may still be in the pipe: a moment for them, far below
        // the seconds a consumer group assignment can lag.
        await Task.Delay(200);
        LogAtReady = Log;

        using var ready = JsonDocument.Parse(await File.ReadAllBytesAsync(ReadyFile));
        Ingress = new Uri(ready.RootElement.GetProperty("ingress").GetString()!);
        Grpc = new Uri(ready.RootElement.GetProperty("grpc").GetString()!);
        StatusHttp = new Uri(ready.RootElement.GetProperty("statusHttp").GetString()!);
        SchemaRegistry = new Uri(ready.RootElement.GetProperty("schemaRegistry").GetString()!);
        Kafka = ready.RootElement.GetProperty("kafka").GetString()!;
        Metrics = new Uri(ready.RootElement.GetProperty("metrics").GetString()!);
    }

    /// <summary>Stops the platform with the signal and asserts it exited with 0, showing its log when not.</summary>
    public async Task StopCleanlyAsync(string signal = "TERM")
    {
        var exit = await StopAsync(signal);
        Assert.True(exit == 0, $"the platform exited with {exit} after SIG{signal}:\n{Log}");
    }

    /// <summary>SIGTERM (a container runtime) or SIGINT (Ctrl+C, a supervisor); the exit code tells whether the shutdown was clean.</summary>
    public async Task<int> StopAsync(string signal = "TERM")
    {
        if (_process is null || _process.HasExited)
        {
            return _process?.ExitCode ?? 0;
        }

        using (var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        // The host gives its services 30 s to stop; under the whole suite's parallel load a stop has come close to that.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            var stacks = DumpStacks(_process.Id);
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the platform did not stop within 60 s of SIG{signal}:\n{Log}\n{stacks}");
        }

        return _process.ExitCode;
    }

    /// <summary>
    /// The managed stacks of a process that does not stop, when dotnet-stack is installed (dotnet tool restore: the
    /// repository's tool manifest, found from the test's working directory upwards).
    /// </summary>
    private static string DumpStacks(int pid)
    {
        try
        {
            return "managed stacks (dotnet-stack):\n" +
                ExternalProcess.Run("dotnet", ["tool", "run", "dotnet-stack", "report", "-p", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or TimeoutException)
        {
            return $"no stack dump: {e.Message}";
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}

/// <summary>One default platform shared by a test class (xunit class fixture).</summary>
public sealed class SharedPlatform : IAsyncLifetime
{
    public PlatformProcess Platform { get; } = new();

    public Task InitializeAsync() => Platform.InitializeAsync();

    public Task DisposeAsync() => Platform.DisposeAsync();
}
