using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;

namespace Streaming.Deployment.Tests;

/// <summary>The external tools the deployment files are checked with; a missing tool fails the test and says what to install.</summary>
internal static class Tools
{
    public static string RepoRoot { get; } = typeof(Tools).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepoRoot").Value!;

    public static string PathOf(params string[] parts) => Path.Combine([RepoRoot, .. parts]);

    /// <summary>Runs a tool; a tool that cannot be found fails with <paramref name="install"/>.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string tool, IEnumerable<string> arguments, string install, string? stdin = null)
    {
        var info = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {tool}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Assert.Fail($"'{tool}' is needed to check the deployment files but could not be started ({ex.Message}). Install it: {install}");
            throw;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (stdin is not null)
            {
                process.StandardInput.Write(stdin);
            }

            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"{tool} {string.Join(' ', info.ArgumentList)} did not finish in 120 s");
            }

            return (process.ExitCode, stdout.Result, stderr.Result);
        }
    }

    /// <summary>
    /// <c>kubectl kustomize DIR</c>, parsed into one JSON object per document by Debian's PyYAML
    /// (an independent YAML parser).
    /// </summary>
    public static IReadOnlyList<JsonObject> Kustomize(string directory)
    {
        var (code, yaml, error) = Run("kubectl", ["kustomize", directory],
            "kubectl with kustomize (Debian: apt-get install kubernetes-client; scripts/prerequisites.sh test does it)");
        Assert.True(code == 0, $"kubectl kustomize {directory} failed ({code}): {error}");
        const string toJson = "import sys, json, yaml; json.dump([d for d in yaml.safe_load_all(sys.stdin) if d], sys.stdout)";
        var (pyCode, json, pyError) = Run("/usr/bin/python3", ["-c", toJson],
            "Debian's python3 with PyYAML (apt-get install python3-yaml)", yaml);
        Assert.True(pyCode == 0, $"PyYAML could not read the rendered manifests: {pyError}");
        return JsonNode.Parse(json)!.AsArray().Select(n => n!.AsObject()).ToList();
    }
}
