using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Streaming.Avro.Tests.Interop;

/// <summary>Runs interop/avro_interop.py with Debian's python3-avro, Apache's independent Avro implementation.</summary>
internal static class PythonAvro
{
    // Debian's interpreter, where python3-avro lives; a `python3` earlier on PATH (pyenv) does not have it.
    private const string Python = "/usr/bin/python3";

    private static readonly Lazy<string?> Unavailable = new(FindProblem);

    private static string Script => Path.Combine(AppContext.BaseDirectory, "interop", "avro_interop.py");

    public static JsonNode? Decode(string writerSchema, string readerSchema, byte[] data) =>
        Run(new JsonObject
        {
            ["op"] = "decode",
            ["writer"] = JsonNode.Parse(writerSchema),
            ["reader"] = JsonNode.Parse(readerSchema),
            ["hex"] = Convert.ToHexStringLower(data),
        })["datum"];

    public static byte[] Encode(string schema, JsonNode? taggedDatum) =>
        Convert.FromHexString(Run(new JsonObject
        {
            ["op"] = "encode",
            ["schema"] = JsonNode.Parse(schema),
            ["datum"] = taggedDatum?.DeepClone(),
        })["hex"]!.GetValue<string>());

    public static string CanonicalForm(string schema) =>
        Run(new JsonObject { ["op"] = "canonical", ["schema"] = JsonNode.Parse(schema) })["canonical"]!.GetValue<string>();

    private static JsonNode Run(JsonObject request)
    {
        // Fail, never skip: CI installs python3-avro, so its absence is a broken environment, not a reason to pass.
        if (Unavailable.Value is { } problem)
        {
            Assert.Fail(problem);
        }

        var (exitCode, stdout, stderr) = Execute([Script], request.ToJsonString());
        if (exitCode != 0)
        {
            Assert.Fail($"Python avro failed (exit {exitCode}) on {request["op"]}: {stderr}");
        }

        return JsonNode.Parse(stdout) ?? throw new InvalidOperationException("Python avro printed nothing");
    }

    private static string? FindProblem()
    {
        if (!File.Exists(Python))
        {
            return $"{Python} not found; the Avro interop tests need Debian's python3 with python3-avro: apt-get install python3-avro";
        }

        var (exitCode, _, stderr) = Execute(["-c", "import avro.io, avro.schema"], stdin: null);
        return exitCode == 0
            ? null
            : $"{Python} cannot import avro ({stderr.Trim()}); install Apache's Python Avro: apt-get install python3-avro";
    }

    private static (int ExitCode, string Stdout, string Stderr) Execute(string[] arguments, string? stdin)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Python}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{Python} did not finish within 60 s");
        }

        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
