// Benchmark host: the real ingress (embedded broker, acks=all, idempotent) and a bare endpoint
// that answers 204 doing nothing, on the same Kestrel defaults, in one process. The load comes
// from wrk and hey in other processes (bench/ingress.sh). Writes the two base URLs to the file
// named by the first argument once both listen, then runs until SIGTERM or Ctrl+C.
using System.Text.Json;
using Streaming.Ingress;

var readyFile = args.Length > 0 ? args[0] : throw new ArgumentException("usage: Ingress.Bench READY_FILE [ingress args...]");

var ingress = IngressApplication.Create(
[
    "--urls=http://127.0.0.1:0",
    "--Logging:LogLevel:Default=Warning",

    // The broker in this process, as the benchmark has always measured (BENCHMARKS.md): allowed explicitly.
    "--Kafka:AllowEmbeddedBroker=true",
    .. args[1..],
]);

var bareBuilder = WebApplication.CreateSlimBuilder(["--urls=http://127.0.0.1:0"]);
bareBuilder.Logging.ClearProviders();
bareBuilder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
var bare = bareBuilder.Build();
bare.MapPost("/webhooks/{provider}", (string provider) => Results.NoContent());

await ingress.StartAsync();
await bare.StartAsync();

var urls = new { ingress = ingress.Addresses().First(), bare = bare.Addresses().First() };
await File.WriteAllTextAsync(readyFile, JsonSerializer.Serialize(urls));
Console.WriteLine($"ingress {urls.ingress}  bare {urls.bare}");

// SIGTERM / Ctrl+C stop the ingress host (its console lifetime); then the bare one follows.
await ingress.WaitForShutdownAsync();
await bare.StopAsync();
