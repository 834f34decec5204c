using System.Diagnostics;

namespace Streaming.Testing;

/// <summary>Runs an independent tool (openssl, Debian's python3) and returns its standard output.</summary>
public static class ExternalProcess
{
    /// <summary>Debian's interpreter, which has the python3-* packages (a python3 earlier on PATH may not).</summary>
    public const string DebianPython = "/usr/bin/python3";

    public static string Run(string fileName, IEnumerable<string> arguments, byte[]? stdin = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.BaseStream.Write(stdin);
        }

        process.StandardInput.Close();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', info.ArgumentList)} exited with {process.ExitCode}: {stderr.Result}");
        }

        return stdout.Result;
    }
}
