using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using Streaming.Kafka;

namespace Streaming.Cli.Topics;

/// <summary>`streaming dlq list` and `streaming dlq replay`: dead-lettered webhooks, their reasons, and sending them back after a fix.</summary>
public static class DlqCommands
{
    /// <summary>On a replayed raw record: where it came from ("topic/partition/offset").</summary>
    public const string ReplayedFromHeader = "replayed-from";

    private static readonly string[] DroppedOnReplay =
    [
        RawEventHeaders.DeadLetterReason, RawEventHeaders.DeadLetterDetail,
        RawEventHeaders.SourceTopic, RawEventHeaders.SourcePartition, RawEventHeaders.SourceOffset,
    ];

    private static readonly Option<string> DlqTopic = new("--dlq-topic")
    {
        Description = "The dead-letter topic",
        DefaultValueFactory = _ => KafkaTopics.RawDeadLetter,
    };

    public static Command Create()
    {
        var command = new Command("dlq", "Dead-lettered webhooks: what the normalizer could not map, and why");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Replay());
        return command;
    }

    private static Command List()
    {
        var json = new Option<bool>("--json") { Description = "One JSON object per line" };
        var command = new Command("list", "Every dead-lettered record with its reason") { DlqTopic, json };
        command.SetAction((result, ct) => Cli.RunAsync(result, async (r, output, _, cancellationToken) =>
        {
            var count = 0;
            await foreach (var record in KafkaReader.ReadAsync(Endpoints.KafkaBootstrap(r), r.GetValue(DlqTopic)!, Offset.Beginning, untilEnd: true, cancellationToken))
            {
                count++;
                var headers = record.Message.Headers;
                if (r.GetValue(json))
                {
                    await output.WriteLineAsync(new JsonObject
                    {
                        ["partition"] = record.Partition.Value,
                        ["offset"] = record.Offset.Value,
                        ["key"] = record.Message.Key is null ? null : Encoding.UTF8.GetString(record.Message.Key),
                        ["provider"] = RawEventHeaders.Get(headers, RawEventHeaders.Provider),
                        ["providerEventId"] = RawEventHeaders.Get(headers, RawEventHeaders.EventId),
                        ["eventType"] = RawEventHeaders.Get(headers, RawEventHeaders.EventType),
                        ["reason"] = RawEventHeaders.Get(headers, RawEventHeaders.DeadLetterReason),
                        ["detail"] = RawEventHeaders.Get(headers, RawEventHeaders.DeadLetterDetail),
                        ["receivedAt"] = RawEventHeaders.Get(headers, RawEventHeaders.ReceivedAt),
                        ["replayedFrom"] = RawEventHeaders.Get(headers, ReplayedFromHeader),
                    }.ToJsonString());
                }
                else
                {
                    await output.WriteLineAsync(
                        $"{record.Partition.Value}:{record.Offset.Value.ToString(CultureInfo.InvariantCulture),-8} {RawEventHeaders.Get(headers, RawEventHeaders.Provider),-9} " +
                        $"{RawEventHeaders.Get(headers, RawEventHeaders.EventType) ?? "-",-32} {RawEventHeaders.Get(headers, RawEventHeaders.DeadLetterReason),-24} " +
                        $"{RawEventHeaders.Get(headers, RawEventHeaders.DeadLetterDetail)}");
                }
            }

            if (!r.GetValue(json))
            {
                await output.WriteLineAsync($"{count} dead-lettered record(s) (replay with: streaming dlq replay --all, or --offset PARTITION:OFFSET)");
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command Replay()
    {
        var all = new Option<bool>("--all") { Description = "Replay every dead-lettered record" };
        var offsets = new Option<string[]>("--offset") { Description = "PARTITION:OFFSET of a record to replay (repeatable)", AllowMultipleArgumentsPerToken = true };
        var to = new Option<string>("--to") { Description = "Topic to send them to", DefaultValueFactory = _ => KafkaTopics.Raw };
        var dryRun = new Option<bool>("--dry-run") { Description = "Say what would be replayed, send nothing" };
        var command = new Command("replay", "Send dead-lettered records back through the pipeline (after fixing a mapping or a provider definition)") { DlqTopic, all, offsets, to, dryRun };
        command.SetAction((result, ct) => Cli.RunAsync(result, async (r, output, _, cancellationToken) =>
        {
            var wanted = (r.GetValue(offsets) ?? []).Select(ParseOffset).ToHashSet();
            if (!r.GetValue(all) && wanted.Count == 0)
            {
                throw new CliException(ExitCodes.Usage, "say what to replay: --all, or --offset PARTITION:OFFSET (see streaming dlq list)");
            }

            var bootstrap = Endpoints.KafkaBootstrap(r);
            var target = r.GetValue(to)!;
            KafkaReader.Partitions(bootstrap, target);
            using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
            {
                BootstrapServers = bootstrap,
                Acks = Acks.All,
                EnableIdempotence = true,
                // The same partitioner as the ingress: a replayed record lands with the rest of its document.
                Partitioner = KafkaClientDefaults.KeyPartitioner,
                MessageTimeoutMs = 15_000,
            }).SetLogHandler((_, _) => { }).Build();
            var replayed = 0;
            var found = new HashSet<(int, long)>();
            await foreach (var record in KafkaReader.ReadAsync(bootstrap, r.GetValue(DlqTopic)!, Offset.Beginning, untilEnd: true, cancellationToken))
            {
                var at = (record.Partition.Value, record.Offset.Value);
                if (!r.GetValue(all) && !wanted.Contains(at))
                {
                    continue;
                }

                found.Add(at);
                var headers = new Headers();
                foreach (var header in record.Message.Headers ?? [])
                {
                    if (!DroppedOnReplay.Contains(header.Key) && header.Key != ReplayedFromHeader)
                    {
                        headers.Add(header.Key, header.GetValueBytes());
                    }
                }

                RawEventHeaders.Add(headers, ReplayedFromHeader, $"{record.Topic}/{record.Partition.Value}/{record.Offset.Value}");
                var line = $"{record.Partition.Value}:{record.Offset.Value} {RawEventHeaders.Get(record.Message.Headers, RawEventHeaders.Provider)} {RawEventHeaders.Get(record.Message.Headers, RawEventHeaders.EventId)} -> {target}";
                if (!r.GetValue(dryRun))
                {
                    await producer.ProduceAsync(target, new Message<byte[]?, byte[]?> { Key = record.Message.Key, Value = record.Message.Value, Headers = headers }, cancellationToken);
                }

                replayed++;
                await output.WriteLineAsync((r.GetValue(dryRun) ? "would replay " : "replayed ") + line);
            }

            producer.Flush(TimeSpan.FromSeconds(10));
            await output.WriteLineAsync($"{replayed} record(s) {(r.GetValue(dryRun) ? "to replay" : "replayed")}");
            var missing = wanted.Except(found).ToList();
            if (missing.Count > 0)
            {
                throw new CliException(ExitCodes.NotFound, "not in the dead-letter topic: " + string.Join(", ", missing.Select(m => $"{m.Item1}:{m.Item2}")));
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static (int, long) ParseOffset(string value)
    {
        var parts = value.Split(':');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
                ? (partition, offset)
                : throw new CliException(ExitCodes.Usage, $"--offset: '{value}' is not PARTITION:OFFSET (e.g. 3:17)");
    }
}
