using Streaming.Kafka;
using Streaming.Status;

var app = StatusApplication.Create(args);
await app.StartAsync();

var kafka = app.Services.GetRequiredService<KafkaConnection>();
Console.WriteLine($"Kafka{(kafka.Embedded is null ? "" : " (embedded)")}: {kafka.BootstrapServers}");
Console.WriteLine($"Status gRPC on {app.GrpcAddress()}  (streaming.status.v1.DocumentStatusService, health, reflection)");
foreach (var address in app.HttpAddresses())
{
    Console.WriteLine($"Status health on {address}health/ready");
}

await app.WaitForShutdownAsync();
