using System.CommandLine;
using Confluent.Kafka;
using Streaming.Kafka;
using Streaming.SchemaRegistry;

namespace Streaming.Cli.Topics;

/// <summary>`streaming tail TOPIC`: raw records with their headers and body, normalized ones decoded through the registry.</summary>
public static class TailCommand
{
    public static Command Create()
    {
        var topic = new Argument<string>("topic")
        {
            Description = $"{KafkaTopics.Raw}, {KafkaTopics.RawDeadLetter} or {KafkaTopics.DocumentEvents} (Avro, decoded through the schema registry)",
        };
        var fromBeginning = new Option<bool>("--from-beginning") { Description = "Start at the oldest record (default: only new records)" };
        var count = new Option<int>("--count", "-n") { Description = "Stop after this many records" };
        var timeout = new Option<TimeSpan?>("--timeout") { Description = "Stop after this long (exit 0)" };
        var untilEnd = new Option<bool>("--until-end") { Description = "Stop at the end of the topic instead of waiting for more" };
        var json = new Option<bool>("--json") { Description = "One JSON object per line" };
        var full = new Option<bool>("--full") { Description = "Show whole bodies (default: the first 2000 characters)" };
        var command = new Command("tail", "Print a topic's records as they arrive") { topic, fromBeginning, count, timeout, untilEnd, json, full };
        command.SetAction((result, ct) => Cli.RunAsync(result, async (r, output, _, cancellationToken) =>
        {
            var name = r.GetValue(topic)!;
            var bootstrap = Endpoints.KafkaBootstrap(r);
            using var registry = RecordPrinter.IsAvroTopic(name)
                ? new SchemaRegistryClient(new SchemaRegistryClientOptions { Url = Endpoints.RegistryUrl(r), RequestTimeout = TimeSpan.FromSeconds(10) })
                : null;
            var printer = new RecordPrinter(registry is null ? null : new AvroWireDeserializer(registry));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (r.GetValue(timeout) is { } after)
            {
                stop.CancelAfter(after);
            }

            var seen = 0;
            var max = r.GetValue(count);
            await foreach (var record in KafkaReader.ReadAsync(bootstrap, name, r.GetValue(fromBeginning) ? Offset.Beginning : Offset.End, r.GetValue(untilEnd), stop.Token))
            {
                var printed = await printer.ToJsonAsync(record, r.GetValue(full), cancellationToken);
                await output.WriteLineAsync(RecordPrinter.Format(printed, r.GetValue(json)));
                await output.FlushAsync(CancellationToken.None);
                if (max > 0 && ++seen >= max)
                {
                    break;
                }
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
