using System.Text.Json;
using Confluent.Kafka;
using Streaming.Cli;
using Streaming.Contracts.Status.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Streaming.Kafka;
using Streaming.Testing;

namespace Streaming.EndToEnd.Tests;

/// <summary>
/// The whole product as a user meets it: the one-command platform in its own process, every provider's
/// lifecycle sent with the CLI (duplicates and out-of-order deliveries included), then the answers
/// checked where users look: the gRPC API and the normalized topic.
/// </summary>
public sealed class PipelineTests : IAsyncLifetime
{
    private readonly PlatformProcess _platform = new();

    public Task InitializeAsync() => _platform.InitializeAsync();

    public Task DisposeAsync() => _platform.DisposeAsync();

    [Fact]
    public async Task Every_provider_lifecycle_ends_in_its_final_status_with_one_normalized_record_per_distinct_event()
    {
        // 1. Send every provider's lifecycle with the CLI, as a user would.
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await Cli.Cli.InvokeAsync(["--ready-file", _platform.ReadyFile, "send", "--json"], output, error);
        Assert.True(exit == ExitCodes.Ok, $"streaming send exited {exit}: {error}\n{output}\n{_platform.Log}");
        using var summary = JsonDocument.Parse(output.ToString());
        var sent = summary.RootElement.GetProperty("sent").GetInt32();
        Assert.Equal(sent, summary.RootElement.GetProperty("accepted").GetInt32());
        var documents = summary.RootElement.GetProperty("documents").EnumerateArray()
            .Select(d => (Provider: d.GetProperty("provider").GetString()!, Token: d.GetProperty("token").GetString()!,
                Status: d.GetProperty("expectedStatus").GetString()!, Distinct: d.GetProperty("distinctEvents").GetInt32()))
            .ToList();
        Assert.Equal(["generic", "inkless", "inscribe", "insigner", "instnt"], documents.Select(d => d.Provider).Order());
        Assert.True(sent > documents.Sum(d => d.Distinct), "the lifecycles include duplicates");

        // 2. Over gRPC: every document reaches its final status, with each distinct event counted once.
        using var channel = GrpcChannel.ForAddress(_platform.Grpc);
        var client = new DocumentStatusService.DocumentStatusServiceClient(channel);
        foreach (var document in documents)
        {
            var state = await Eventually.Until(async () =>
            {
                try
                {
                    var s = await client.GetDocumentStatusAsync(new GetDocumentStatusRequest { DocumentToken = document.Token });
                    return s.EventCount == document.Distinct && s.Status.ToString().Equals(document.Status, StringComparison.OrdinalIgnoreCase) ? s : null;
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
                {
                    return null;
                }
            }, TimeSpan.FromSeconds(45), $"{document.Provider} document {document.Token} to be {document.Status} with {document.Distinct} events\n{_platform.Log}");
            Assert.Equal(document.Provider, state.Provider);

            var history = await client.ListDocumentEventsAsync(new ListDocumentEventsRequest { DocumentToken = document.Token });
            Assert.Equal(document.Distinct, history.Events.Count);
            Assert.Equal(document.Distinct, history.Events.Select(e => e.EventId).Distinct().Count());

            // The same answer from the JSON face.
            using var http = new HttpClient();
            using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri(_platform.StatusHttp, $"/v1/documents/{Uri.EscapeDataString(document.Token)}")));
            Assert.Equal(state.Status.ToString(), ToPascal(json.RootElement.GetProperty("status").GetString()!));
            Assert.Equal(state.EventCount, json.RootElement.GetProperty("eventCount").GetInt64());
        }

        // 3. On documents.events.v1: exactly one normalized record per distinct provider event.
        var tokens = documents.ToDictionary(d => d.Token, d => d.Distinct);
        var records = ReadToEnd(_platform.Kafka, KafkaTopics.DocumentEvents)
            .Where(r => r.Message.Key is not null && tokens.ContainsKey(r.Message.Key))
            .ToList();
        foreach (var (token, distinct) in tokens)
        {
            var mine = records.Where(r => r.Message.Key == token).ToList();
            var eventIds = mine.Select(r => RawEventHeaders.Get(r.Message.Headers, RawEventHeaders.EventId)).ToList();
            Assert.True(mine.Count == distinct, $"{token}: {mine.Count} normalized records, expected {distinct} (event ids {string.Join(", ", eventIds)})");
            Assert.Equal(distinct, eventIds.Distinct().Count());
        }

        // A record framed with the contract's id but with a corrupt body (a negative string length).
        using (var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = _platform.Kafka }).Build())
        {
            await producer.ProduceAsync(KafkaTopics.DocumentEvents, new Message<string, byte[]>
            {
                Key = "poison-record",
                Value = [.. records[0].Message.Value.AsSpan(0, 5), 0x03],
            });
        }

        // The CLI reads the same topic through the registry, and shows the poison record's error instead of stopping.
        var tail = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await Cli.Cli.InvokeAsync(
            ["--ready-file", _platform.ReadyFile, "tail", KafkaTopics.DocumentEvents, "--from-beginning", "--until-end", "--json"], tail, error));
        Assert.Equal(records.Count, tail.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => tokens.Keys.Any(t => l.Contains($"\"document_token\":\"{t}\"", StringComparison.Ordinal))));
        Assert.Contains(tail.ToString().Split('\n'), l => l.Contains("poison-record", StringComparison.Ordinal) && l.Contains("\"decodeError\"", StringComparison.Ordinal));

        // 3b. On documents.status.v1, through the CLI as a subscriber would read it: every document's last snapshot is
        // the state the API answers (the embedded broker does not compact: the last record per key is what compaction keeps).
        var snapshots = await Eventually.Until(async () =>
        {
            var text = new StringWriter();
            Assert.Equal(ExitCodes.Ok, await Cli.Cli.InvokeAsync(
                ["--ready-file", _platform.ReadyFile, "tail", KafkaTopics.DocumentStatus, "--until-end", "--json"], text, error));
            var last = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => JsonDocument.Parse(l).RootElement)
                .GroupBy(r => r.GetProperty("key").GetString()!)
                .ToDictionary(g => g.Key, g => g.Last().GetProperty("value"));
            return documents.All(d => last.TryGetValue(d.Token, out var v) && v.GetProperty("version").GetInt64() == d.Distinct) ? last : null;
        }, TimeSpan.FromSeconds(30), $"every document's final snapshot on {KafkaTopics.DocumentStatus}\n{error}");
        foreach (var document in documents)
        {
            var state = await client.GetDocumentStatusAsync(new GetDocumentStatusRequest { DocumentToken = document.Token });
            var snapshot = snapshots[document.Token];
            Assert.Equal(document.Status, snapshot.GetProperty("status").GetString(), ignoreCase: true);
            Assert.Equal(state.EventCount, snapshot.GetProperty("event_count").GetInt64());
            Assert.Equal(state.LastEvent.EventId, snapshot.GetProperty("last_event").GetProperty("event_id").GetString());
            Assert.Equal(state.Provider, snapshot.GetProperty("provider").GetString());
        }

        // 4. SIGTERM stops everything cleanly, and the platform no longer says where it listens.
        var published = Path.Combine(Path.GetDirectoryName(_platform.ReadyFile)!, "platform.json");
        Assert.True(File.Exists(published), "the running platform publishes its addresses for the CLI");
        await _platform.StopCleanlyAsync();
        Assert.False(File.Exists(_platform.ReadyFile), "the ready file is removed on exit");
        Assert.False(File.Exists(published), "the published addresses are removed on exit");
    }

    [Fact]
    public async Task A_dead_lettered_webhook_is_listed_with_its_reason_and_replayed_through_the_pipeline()
    {
        // Signed and accepted, but with neither a document token nor a correlation id: the normalizer dead-letters it.
        var body = Path.Combine(Path.GetTempPath(), $"e2e-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(body, """{"event":"document_signed","timestamp":"2026-01-01T00:00:00Z"}""");
        var error = new StringWriter();
        try
        {
            Assert.Equal(ExitCodes.Ok, await Cli.Cli.InvokeAsync(["--ready-file", _platform.ReadyFile, "send", "--provider", "inkless", "--file", body, "--quiet"], new StringWriter(), error));
        }
        finally
        {
            File.Delete(body);
        }

        var listed = await Eventually.Until(async () =>
        {
            var output = new StringWriter();
            Assert.Equal(ExitCodes.Ok, await Cli.Cli.InvokeAsync(["--ready-file", _platform.ReadyFile, "dlq", "list", "--json"], output, error));
            var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return lines.Length >= 1 ? lines : null;
        }, TimeSpan.FromSeconds(30), $"the dead letter\n{error}\n{_platform.Log}");
        using var first = JsonDocument.Parse(Assert.Single(listed));
        Assert.Equal("missing-document-token", first.RootElement.GetProperty("reason").GetString());
        Assert.Equal("inkless", first.RootElement.GetProperty("provider").GetString());

        // Replayed unchanged (nothing was fixed), it goes through the normalizer again and lands in the DLQ again, marked.
        var replay = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await Cli.Cli.InvokeAsync(["--ready-file", _platform.ReadyFile, "dlq", "replay", "--all"], replay, error));
        Assert.Contains("1 record(s) replayed", replay.ToString(), StringComparison.Ordinal);
        var again = await Eventually.Until(async () =>
        {
            var output = new StringWriter();
            await Cli.Cli.InvokeAsync(["--ready-file", _platform.ReadyFile, "dlq", "list", "--json"], output, error);
            var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return lines.Length >= 2 ? lines : null;
        }, TimeSpan.FromSeconds(30), $"the replayed record back in the DLQ\n{error}\n{_platform.Log}");
        using var second = JsonDocument.Parse(again[1]);
        var origin = $"{KafkaTopics.RawDeadLetter}/{first.RootElement.GetProperty("partition").GetInt32()}/{first.RootElement.GetProperty("offset").GetInt64()}";
        Assert.Equal(origin, second.RootElement.GetProperty("replayedFrom").GetString());
        Assert.Equal("missing-document-token", second.RootElement.GetProperty("reason").GetString());

        // SIGINT to the platform's own process (what Ctrl+C or a supervisor sends) stops it cleanly too.
        await _platform.StopCleanlyAsync("INT");
        Assert.False(File.Exists(_platform.ReadyFile));
    }

    /// <summary>DOCUMENT_STATUS_IN_PROGRESS as the C# enum prints it: InProgress.</summary>
    private static string ToPascal(string protoName) =>
        string.Concat(protoName["DOCUMENT_STATUS_".Length..].Split('_').Select(w => w[..1] + w[1..].ToLowerInvariant()));

    internal static List<ConsumeResult<string?, byte[]>> ReadToEnd(string bootstrapServers, string topic)
    {
        using var consumer = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "e2e-" + Guid.NewGuid().ToString("N"),
            IsolationLevel = IsolationLevel.ReadCommitted,
            EnablePartitionEof = true,
            EnableAutoCommit = false,
        }).SetKeyDeserializer(Deserializers.Utf8).Build();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions
            .Select(p => new TopicPartitionOffset(topic, p.PartitionId, Offset.Beginning)).ToList();
        consumer.Assign(partitions);
        var records = new List<ConsumeResult<string?, byte[]>>();
        var atEnd = new HashSet<int>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (atEnd.Count < partitions.Count && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                atEnd.Add(result.Partition.Value);
            }
            else
            {
                records.Add(result);
            }
        }

        consumer.Close();
        Assert.True(atEnd.Count == partitions.Count, $"read {records.Count} records but not to the end of every partition of {topic}");
        return records;
    }
}
