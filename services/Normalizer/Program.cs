using Streaming.Kafka;
using Streaming.Normalizer;

var app = NormalizerApplication.Create(args);
await app.StartAsync();

var kafka = app.Services.GetRequiredService<KafkaConnection>();
Console.WriteLine($"Kafka{(kafka.Embedded is null ? "" : " (embedded)")}: {kafka.BootstrapServers}");
foreach (var address in app.Addresses())
{
    Console.WriteLine($"Normalizer listening on {address}  (health: {address}/health/ready)");
}

await app.WaitForShutdownAsync();
