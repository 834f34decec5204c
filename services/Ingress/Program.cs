using Streaming.Ingress;
using Streaming.Kafka;

var app = IngressApplication.Create(args);
await app.StartAsync();

var kafka = app.Services.GetRequiredService<KafkaConnection>();
Console.WriteLine($"Kafka{(kafka.Embedded is null ? "" : " (embedded)")}: {kafka.BootstrapServers}");
foreach (var address in app.Addresses())
{
    Console.WriteLine($"Ingress listening on {address}  (POST {address}/webhooks/{{provider}})");
}

await app.WaitForShutdownAsync();
