using System.CommandLine;
using Avro.Generic;
using Confluent.Kafka;
using Streaming.Kafka;
using Streaming.SchemaRegistry;

namespace Streaming.Cli.Topics;

/// <summary>`streaming tail TOPIC`: raw records with their headers and body, normalized events and status snapshots decoded through the registry.</summary>
public static class TailCommand
{
    public static Command Create()
    {
        var topic = new Argument<string>("topic")
        {
            Description = $"{KafkaTopics.Raw}, {KafkaTopics.RawDeadLetter}, {KafkaTopics.DocumentEvents} or {KafkaTopics.DocumentStatus} (the last two Avro, decoded through the schema registry)",
        };
        var follow = new Option<bool>("--follow", "-f") { Description = "After the records already there, keep printing new ones as they arrive (Ctrl+C stops)" };
        var onlyNew = new Option<bool>("--new") { Description = "Skip the records already there: print only new ones, as they arrive" };
        var fromBeginning = new Option<bool>("--from-beginning") { Description = "Start at the oldest record (the default; kept for scripts)" };
        var count = new Option<int>("--count", "-n") { Description = "Stop after this many records" };
        var timeout = new Option<TimeSpan?>("--timeout") { Description = "Stop after this long (exit 0)" };
        var untilEnd = new Option<bool>("--until-end") { Description = "Stop at the end of the topic (the default without --follow or --new; kept for scripts)" };
        var json = new Option<bool>("--json") { Description = "One JSON object per line" };
        var full = new Option<bool>("--full") { Description = "Show whole bodies (default: the first 2000 characters)" };
        var command = new Command("tail", "Print a topic's records, oldest first, to its current end; --follow keeps going") { topic, follow, onlyNew, fromBeginning, count, timeout, untilEnd, json, full };
        command.SetAction((result, ct) => Cli.RunAsync(result, async (r, output, _, cancellationToken) =>
        {
            var live = r.GetValue(follow) || r.GetValue(onlyNew);
            if (live && r.GetValue(untilEnd))
            {
                throw new CliException(ExitCodes.Usage, "--until-end contradicts --follow and --new");
            }

            var name = r.GetValue(topic)!;
            var bootstrap = Endpoints.KafkaBootstrap(r);
            using var registry = RecordPrinter.IsAvroTopic(name)
                ? new Confluent.SchemaRegistry.CachedSchemaRegistryClient(
                    new SchemaRegistryClientOptions { Url = Endpoints.RegistryUrl(r), RequestTimeout = TimeSpan.FromSeconds(10) }.ToConfluentConfig())
                : null;
            var printer = new RecordPrinter(registry is null ? null : new Confluent.SchemaRegistry.Serdes.AvroDeserializer<Avro.Generic.GenericRecord>(registry));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (r.GetValue(timeout) is { } after)
            {
                stop.CancelAfter(after);
            }

            var stopAtEnd = !live;
            var seen = 0;
            var max = r.GetValue(count);
            await foreach (var record in KafkaReader.ReadAsync(bootstrap, name, r.GetValue(onlyNew) ? Offset.End : Offset.Beginning, stopAtEnd, stop.Token))
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
