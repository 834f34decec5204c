using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Streaming.Chaos.Tests;

/// <summary>
/// The short chaos run: the broker, ingress, normalizer and status service as separate processes, PostgreSQL as the
/// store, vendor-like load with every kind of fault at least once, then the independent reconciliation.
/// The long run is bench/chaos.sh.
/// </summary>
public sealed class ChaosRunTests
{
    private static readonly string RepoRoot = Metadata("RepoRoot");
    private static readonly string ChaosAssembly = Metadata("ChaosAssembly");

    [Fact]
    public void Every_acknowledged_webhook_is_in_the_status_history_and_the_committed_stream_exactly_once_under_faults()
    {
        var work = Path.Combine(Path.GetTempPath(), "chaos-test-" + Guid.NewGuid().ToString("N")[..8]);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { ChaosAssembly, "run", "--repo", RepoRoot, "--seconds", "70", "--rate", "25", "--fault-interval", "4", "--min-faults", "1", "--work", work })
        {
            info.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(9)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the chaos run did not finish within 9 minutes:\n" + Text(output));
        }

        process.WaitForExit();
        var text = Text(output);
        Assert.True(process.ExitCode == 0, $"the chaos run failed (exit {process.ExitCode}); logs in {work}:\n{text}");
        Assert.Contains("| **lost** | **0** |", text, StringComparison.Ordinal);
        Assert.Contains("| **duplicated** | **0** |", text, StringComparison.Ordinal);
        Assert.Contains("RESULT PASS", text, StringComparison.Ordinal);
        try
        {
            Directory.Delete(work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static string Metadata(string key) =>
        typeof(ChaosRunTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
