using System.Runtime.InteropServices;
using System.Text.Json;
using Confluent.Kafka;
using Streaming.Kafka;
using Streaming.Kafka.Embedded;
using Streaming.SchemaRegistry.Server;

namespace Streaming.Chaos;

/// <summary>
/// `Streaming.Chaos broker`: the embedded broker (librdkafka's mock cluster) with the product's topics, in a process of
/// its own, beside the schema registry endpoint and an HTTP endpoint that injects faults into the broker. It writes
/// its addresses to a ready file and runs until SIGTERM. The fault endpoint exists only in this test-only process.
/// </summary>
internal static class BrokerHost
{
    public static async Task<int> RunAsync(string readyFile, int partitions, int port)
    {
        Streaming.Kafka.KafkaNative.EnsureSupportedVersion();
        using var cluster = EmbeddedKafkaCluster.Start();
        cluster.CreateTopics(KafkaTopics.All(partitions));
        // A killed consumer's partitions move to its restarted successor after this long (the mock's default is 30 s).
        cluster.SetConsumerGroupSessionTimeout(TimeSpan.FromSeconds(6), TimeSpan.FromMilliseconds(500));

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSchemaRegistry();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        await using var app = builder.Build();
        app.MapSchemaRegistry();
        MapFaults(app, cluster);

        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        await app.StartAsync(stop.Token);
        var url = app.Urls.First();
        var ready = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["pid"] = Environment.ProcessId,
            ["kafka"] = cluster.BootstrapServers,
            ["registry"] = url,
            ["control"] = url + "/faults",
        });
        File.WriteAllText(readyFile + ".tmp", ready);
        File.Move(readyFile + ".tmp", readyFile, overwrite: true);
        Console.WriteLine($"chaos broker: kafka {cluster.BootstrapServers}, registry and /faults on {url}");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await app.StopAsync();
        return 0;
    }

    private static void MapFaults(WebApplication app, EmbeddedKafkaCluster cluster)
    {
        var faults = app.MapGroup("/faults");
        faults.MapPost("/broker/down", () =>
        {
            cluster.SetBrokerDown(1);
            return Results.NoContent();
        });
        faults.MapPost("/broker/up", () =>
        {
            cluster.SetBrokerUp(1);
            return Results.NoContent();
        });
        // ?ms=N: every response of the broker N ms late (0 removes it).
        faults.MapPost("/rtt", (int ms) =>
        {
            cluster.SetBrokerRoundTripTime(1, TimeSpan.FromMilliseconds(ms));
            return Results.NoContent();
        });
        // ?api=Produce&codes=NotEnoughReplicas,LeaderNotAvailable: the next requests of that API get these errors in turn.
        faults.MapPost("/errors", (string api, string codes) =>
        {
            if (!Enum.TryParse<KafkaApi>(api, ignoreCase: true, out var key))
            {
                return Results.BadRequest($"unknown api '{api}'");
            }

            var errors = new List<ErrorCode>();
            foreach (var code in codes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!Enum.TryParse<ErrorCode>(code, ignoreCase: true, out var error))
                {
                    return Results.BadRequest($"unknown error code '{code}'");
                }

                errors.Add(error);
            }

            cluster.PushRequestErrors(key, [.. errors]);
            return Results.NoContent();
        });
        faults.MapPost("/clear", () =>
        {
            foreach (var api in Enum.GetValues<KafkaApi>())
            {
                cluster.ClearRequestErrors(api);
            }

            cluster.SetBrokerRoundTripTime(1, TimeSpan.Zero);
            cluster.SetBrokerUp(1);
            return Results.NoContent();
        });
        faults.MapGet("/", () => Results.Text(string.Join(",", Enum.GetNames<KafkaApi>()), "text/plain"));
    }
}
