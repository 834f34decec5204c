// status-subscriber: bootstraps the current status of every document from documents.status.v1, then prints each new
// event from documents.events.v1 with the document's status. Settings as --name value or environment variables:
//   --bootstrap-servers (KAFKA_BOOTSTRAP_SERVERS), --schema-registry (SCHEMA_REGISTRY_URL), --group (SUBSCRIBER_GROUP),
//   --from-beginning (replay every event instead of starting at the end).
using Streaming.Samples.StatusSubscriber;

var options = new SubscriberOptions
{
    BootstrapServers = Setting(args, "--bootstrap-servers", "KAFKA_BOOTSTRAP_SERVERS") ?? "localhost:29092",
    SchemaRegistryUrl = Setting(args, "--schema-registry", "SCHEMA_REGISTRY_URL") ?? "http://localhost:8082",
    GroupId = Setting(args, "--group", "SUBSCRIBER_GROUP") ?? "example.status-subscriber",
    EventsFrom = args.Contains("--from-beginning") ? Confluent.Kafka.AutoOffsetReset.Earliest : Confluent.Kafka.AutoOffsetReset.Latest,
};

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

using var subscriber = new StatusSubscriber(options);
var read = subscriber.Bootstrap(stop.Token);
Console.WriteLine($"{subscriber.Table.Count} documents from {read} snapshots on {options.StatusTopic}; following {options.EventsTopic} as group {options.GroupId} (Ctrl+C stops)");
await subscriber.FollowAsync((e, status, _) =>
{
    Console.WriteLine($"{e.OccurredAt:O} {e.DocumentToken}: {e.Provider} {e.EventType} -> document {status?.Status.ToString() ?? "(no snapshot yet)"} (version {status?.Version ?? 0})");
    return Task.CompletedTask;
}, stop.Token);

static string? Setting(string[] args, string name, string variable)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null;
}
