using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Avro;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Xunit.Abstractions;

namespace Streaming.SchemaRegistry.Tests;

/// <summary>
/// Our endpoint and wire format against independent implementations: Confluent's Python registry client
/// (Debian python3-confluent-kafka) and Apache Avro for Python (python3-avro), run by interop/registry_interop.py.
/// </summary>
public sealed class InteropTests(ITestOutputHelper output) : IAsyncLifetime
{
    // Debian's interpreter: the python3 first on PATH may be another one without the Debian packages.
    private const string Python = "/usr/bin/python3";

    private const string ProbeSchema = """
        {"type":"record","name":"Probe","namespace":"interop","fields":[
          {"name":"id","type":"string"},
          {"name":"count","type":"int"},
          {"name":"big","type":"long"},
          {"name":"ratio","type":"double"},
          {"name":"ok","type":"boolean"},
          {"name":"note","type":["null","string"],"default":null},
          {"name":"status","type":{"type":"enum","name":"State","symbols":["A","B"]}},
          {"name":"tags","type":{"type":"array","items":"string"}},
          {"name":"attrs","type":{"type":"map","values":"long"}},
          {"name":"raw","type":"bytes"}
        ]}
        """;

    private RegistryHost _host = null!;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sr-interop-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _host = await RegistryHost.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Confluent_python_client_and_apache_avro_agree_with_our_registry_and_wire_format()
    {
        var schema = (RecordSchema)global::Avro.Schema.Parse(ProbeSchema);
        using var client = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = _host.Url.AbsoluteUri });
        var context = new SerializationContext(MessageComponentType.Value, "interop-probe");
        var dotnetWire = await new AvroSerializer<GenericRecord>(client).SerializeAsync(Probe(schema), context);

        var input = new JsonObject
        {
            ["dotnet_wire_hex"] = Convert.ToHexStringLower(dotnetWire),
            ["probe_schema"] = ProbeSchema,
            ["probe_subject"] = SubjectNames.TopicValue("interop-probe"),
            ["probe_value"] = JsonNode.Parse("""
                {"id":"from-python","count":-7,"big":-9007199254740993,"ratio":-1.5,"ok":false,"note":null,
                 "status":"A","tags":[],"attrs":{"a":1,"b":2},"raw":""}
                """),
        };
        var inputPath = Path.Combine(_directory, "input.json");
        await File.WriteAllTextAsync(inputPath, input.ToJsonString());

        var result = await RunPythonAsync(Path.Combine(AppContext.BaseDirectory, "interop", "registry_interop.py"), _host.Url.AbsoluteUri.TrimEnd('/'), inputPath);

        var failures = result["failures"]!.AsArray().Select(f => f!.GetValue<string>()).ToList();
        Assert.True(failures.Count == 0, "Python interop checks failed:\n" + string.Join("\n", failures));
        output.WriteLine($"Confluent AvroSerializer/AvroDeserializer: {result["fastavro"]}");

        // Apache Avro read what we wrote.
        var decoded = result["decoded_from_dotnet"]!;
        Assert.Equal("doc-1", decoded["id"]!.GetValue<string>());
        Assert.Equal(42, decoded["count"]!.GetValue<int>());
        Assert.Equal(9_007_199_254_740_993L, decoded["big"]!.GetValue<long>());
        Assert.Equal(0.25, decoded["ratio"]!.GetValue<double>());
        Assert.True(decoded["ok"]!.GetValue<bool>());
        Assert.Equal("hi", decoded["note"]!.GetValue<string>());
        Assert.Equal("B", decoded["status"]!.GetValue<string>());
        Assert.Equal(["x", "y"], decoded["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(-1, decoded["attrs"]!["k"]!.GetValue<long>());
        Assert.Equal("00ff10", decoded["raw"]!["$bytes"]!.GetValue<string>());

        // We read what Apache Avro wrote, with the writer schema fetched by the id in its framing.
        using var reader = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = _host.Url.AbsoluteUri });
        var fromPython = await new AvroDeserializer<GenericRecord>(reader).DeserializeAsync(
            Convert.FromHexString(result["python_wire_hex"]!.GetValue<string>()), isNull: false, context);
        Assert.Equal("from-python", fromPython["id"]);
        Assert.Equal(-7, fromPython["count"]);
        Assert.Equal(-9_007_199_254_740_993L, fromPython["big"]);
        Assert.Equal(-1.5, fromPython["ratio"]);
        Assert.Equal(false, fromPython["ok"]);
        Assert.Null(fromPython["note"]);
        Assert.Equal("A", Assert.IsType<GenericEnum>(fromPython["status"]).Value);
        Assert.Empty(Assert.IsAssignableFrom<System.Collections.ICollection>(fromPython["tags"]));
        Assert.Equal(new Dictionary<string, object> { ["a"] = 1L, ["b"] = 2L }, Assert.IsAssignableFrom<IDictionary<string, object>>(fromPython["attrs"]));
        Assert.Equal([], Assert.IsType<byte[]>(fromPython["raw"]));
    }

    private static GenericRecord Probe(RecordSchema schema)
    {
        var probe = new GenericRecord(schema);
        probe.Add("id", "doc-1");
        probe.Add("count", 42);
        probe.Add("big", 9_007_199_254_740_993L);
        probe.Add("ratio", 0.25);
        probe.Add("ok", true);
        probe.Add("note", "hi");
        probe.Add("status", new GenericEnum((EnumSchema)schema["status"].Schema, "B"));
        probe.Add("tags", new object[] { "x", "y" });
        probe.Add("attrs", new Dictionary<string, object> { ["k"] = -1L });
        probe.Add("raw", new byte[] { 0x00, 0xff, 0x10 });
        return probe;
    }

    private async Task<JsonNode> RunPythonAsync(params string[] arguments)
    {
        Assert.True(File.Exists(Python),
            $"{Python} is missing: the interop test needs Debian's python3 with python3-confluent-kafka, python3-requests and python3-avro (apt-get install python3-confluent-kafka python3-requests python3-avro).");

        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var (outText, errText) = (await stdout, await stderr);
        output.WriteLine(errText);
        Assert.True(process.ExitCode == 0,
            process.ExitCode == 3
                ? $"A Python module the interop test needs is missing; install the Debian package it names: {errText}"
                : $"registry_interop.py exited with {process.ExitCode}:\n{errText}\n{outText}");

        try
        {
            return JsonNode.Parse(outText.Trim().Split('\n')[^1])!;
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"registry_interop.py printed no JSON result: {outText}", e);
        }
    }
}
