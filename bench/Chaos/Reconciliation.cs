using System.Collections.Concurrent;
using System.Text;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Grpc.Core;
using Grpc.Net.Client;
using Streaming.Contracts.Status.V1;
using Streaming.Kafka;

namespace Streaming.Chaos;

/// <summary>What the reconciliation found; <see cref="Passed"/> is the run's verdict.</summary>
internal sealed class ReconciliationResult
{
    public int AcknowledgedEvents { get; set; }
    public int Documents { get; set; }
    public int LostFromHistory { get; set; }
    public int DuplicatedInHistory { get; set; }
    public int UnacknowledgedInHistory { get; set; }
    public int LostFromStream { get; set; }
    public int DuplicatedCommitted { get; set; }
    public int CommittedOnce { get; set; }
    public int AbortedCopies { get; set; }
    public int NeverEndedCopies { get; set; }
    public int OnlyInUncommitted { get; set; }
    public int Markers { get; set; }
    public int StatusMismatches { get; set; }
    public int TamperedFound { get; set; }
    public int DeadLetters { get; set; }
    public TimeSpan CatchUp { get; set; }
    public List<string> Examples { get; } = [];

    public int Lost => LostFromHistory + LostFromStream;

    public int Duplicated => DuplicatedInHistory + DuplicatedCommitted;

    public bool Passed => Lost == 0 && Duplicated == 0 && StatusMismatches == 0 && TamperedFound == 0;

    public void Example(string text)
    {
        lock (Examples)
        {
            if (Examples.Count < 20)
            {
                Examples.Add(text);
            }
        }
    }
}

/// <summary>
/// Checks the pipeline's results against the sender's ledger with readers of its own, none of the services' code:
/// the status history over the gRPC API (generated client), the committed <c>documents.events.v1</c> records through
/// a read_committed Confluent consumer (Avro decoded with Confluent's deserializer and the registry), the partitions'
/// transaction markers read straight from the log (<see cref="TransactionLog"/>), and the expected final statuses from
/// <see cref="VendorDocument.Expected"/>.
/// </summary>
internal sealed class Reconciliation(Pipeline pipeline, Ledger ledger, int partitions, TextWriter log)
{
    public async Task<ReconciliationResult> RunAsync(TimeSpan catchUpTimeout, CancellationToken cancellationToken)
    {
        var result = new ReconciliationResult();
        // Per document: the distinct provider event ids the ingress acknowledged, and the events behind them.
        var acked = ledger.Acknowledged
            .GroupBy(a => a.Event.DocumentToken)
            .ToDictionary(g => g.Key, g => g.GroupBy(a => a.ProviderEventId).ToDictionary(x => x.Key, x => x.First().Event));
        result.Documents = acked.Count;
        result.AcknowledgedEvents = acked.Values.Sum(d => d.Count);

        using var channel = GrpcChannel.ForAddress(pipeline.GrpcUrl, new GrpcChannelOptions { MaxReceiveMessageSize = 16 << 20 });
        var client = new DocumentStatusService.DocumentStatusServiceClient(channel);

        // 1. Let the pipeline finish: every acknowledged document shows as many events as were acknowledged for it.
        var started = pipeline.Clock.Elapsed;
        Dictionary<string, DocumentState> documents;
        var deadline = DateTime.UtcNow + catchUpTimeout;
        while (true)
        {
            documents = await ListDocumentsAsync(client, cancellationToken);
            var behind = acked.Count(d => !documents.TryGetValue(d.Key, out var s) || s.EventCount < d.Value.Count);
            if (behind == 0 || DateTime.UtcNow > deadline)
            {
                log.WriteLine($"status service caught up: {acked.Count - behind}/{acked.Count} documents complete");
                break;
            }

            await Task.Delay(1000, cancellationToken);
        }

        result.CatchUp = pipeline.Clock.Elapsed - started;

        // 2. The status history over the API: every acknowledged event exactly once.
        var history = new ConcurrentDictionary<string, Dictionary<string, int>>();
        await Parallel.ForEachAsync(acked.Keys, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (token, ct) =>
        {
            history[token] = await HistoryAsync(client, token, ct);
        });
        foreach (var (token, events) in acked)
        {
            var seen = history[token];
            foreach (var id in events.Keys)
            {
                var count = seen.GetValueOrDefault(id);
                if (count == 0)
                {
                    result.LostFromHistory++;
                    result.Example($"lost from the status history: {token} {id}");
                }
                else if (count > 1)
                {
                    result.DuplicatedInHistory++;
                    result.Example($"{count} times in the status history: {token} {id}");
                }
            }

            result.UnacknowledgedInHistory += seen.Keys.Count(id => !events.ContainsKey(id));

            // 3. The final status equals the model's for the acknowledged events.
            var expected = VendorDocument.Expected(events.Values);
            var actual = documents.TryGetValue(token, out var state) ? state.Status.ToString() : "(missing)";
            if (actual != expected.ToString())
            {
                result.StatusMismatches++;
                result.Example($"status of {token} ({ledger.Documents[token].Provider}, {ledger.Documents[token].Outcome}): {actual}, model {expected}");
            }
        }

        // 4. documents.events.v1 as a read_committed reader sees it, and each record's transaction fate from the markers.
        var records = ReadCommittedView(out var ends);
        var fates = new Dictionary<(int, long), RecordFate>();
        using (var logReader = new TransactionLog(pipeline.Kafka))
        {
            for (var p = 0; p < partitions; p++)
            {
                var partitionFates = logReader.Fates(KafkaTopics.DocumentEvents, p, ends[p], out var markerCount);
                foreach (var (offset, fate) in partitionFates)
                {
                    fates[(p, offset)] = fate;
                }

                result.Markers += markerCount;
            }
        }

        foreach (var (_, events) in acked)
        {
            foreach (var id in events.Keys)
            {
                var copies = records.GetValueOrDefault(id) ?? [];
                var committed = copies.Count(c => fates.GetValueOrDefault(c) is RecordFate.Committed or RecordFate.NonTransactional);
                var aborted = copies.Count(c => fates.GetValueOrDefault(c) == RecordFate.Aborted);
                var neverEnded = copies.Count(c => fates.GetValueOrDefault(c) == RecordFate.NeverEnded);
                result.AbortedCopies += aborted;
                result.NeverEndedCopies += neverEnded;
                if (copies.Count == 0)
                {
                    result.LostFromStream++;
                    result.Example($"not in documents.events.v1: {id}");
                }
                else if (committed > 1)
                {
                    result.DuplicatedCommitted++;
                    result.Example($"{committed} committed copies in documents.events.v1: {id} at {string.Join(", ", copies.Select(c => $"{c.Item1}@{c.Item2}:{fates.GetValueOrDefault(c)}"))}");
                }
                else if (committed == 1)
                {
                    result.CommittedOnce++;
                }
                else
                {
                    result.OnlyInUncommitted++;
                }
            }
        }

        // 5. Nothing from a rejected (tampered) request anywhere: raw topic, dead letters, normalized stream, status.
        var markersToFind = ledger.TamperedMarkers.Select(m => Encoding.UTF8.GetBytes(m)).ToList();
        foreach (var topic in new[] { KafkaTopics.Raw, KafkaTopics.RawDeadLetter, KafkaTopics.DocumentEvents })
        {
            var (count, found) = Scan(topic, markersToFind);
            result.TamperedFound += found;
            if (topic == KafkaTopics.RawDeadLetter)
            {
                result.DeadLetters = count;
            }
        }

        foreach (var marker in ledger.TamperedMarkers)
        {
            try
            {
                await client.GetDocumentStatusAsync(new GetDocumentStatusRequest { DocumentToken = marker }, cancellationToken: cancellationToken);
                result.TamperedFound++;
                result.Example($"a tampered request's document is in the status store: {marker}");
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
            }
        }

        return result;
    }

    private static async Task<Dictionary<string, DocumentState>> ListDocumentsAsync(DocumentStatusService.DocumentStatusServiceClient client, CancellationToken cancellationToken)
    {
        var all = new Dictionary<string, DocumentState>();
        var page = "";
        do
        {
            var response = await client.ListDocumentsAsync(new ListDocumentsRequest { PageSize = 1000, PageToken = page }, cancellationToken: cancellationToken);
            foreach (var document in response.Documents)
            {
                all[document.DocumentToken] = document;
            }

            page = response.NextPageToken;
        }
        while (page.Length > 0);
        return all;
    }

    private static async Task<Dictionary<string, int>> HistoryAsync(DocumentStatusService.DocumentStatusServiceClient client, string token, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, int>();
        var page = "";
        do
        {
            ListDocumentEventsResponse response;
            try
            {
                response = await client.ListDocumentEventsAsync(new ListDocumentEventsRequest { DocumentToken = token, PageSize = 1000, PageToken = page }, cancellationToken: cancellationToken);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                return counts;
            }

            foreach (var e in response.Events)
            {
                counts[e.ProviderEventId] = counts.GetValueOrDefault(e.ProviderEventId) + 1;
            }

            page = response.NextPageToken;
        }
        while (page.Length > 0);
        return counts;
    }

    /// <summary>Every record a read_committed reader gets from documents.events.v1, by the provider event id in its Avro value.</summary>
    private Dictionary<string, List<(int, long)>> ReadCommittedView(out long[] highWatermarks)
    {
        var ends = new long[partitions];
        highWatermarks = ends;
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = pipeline.Registry.ToString() });
        var deserializer = new AvroDeserializer<GenericRecord>(registry).AsSyncOverAsync();
        using var consumer = new ConsumerBuilder<byte[], GenericRecord>(new ConsumerConfig
        {
            BootstrapServers = pipeline.Kafka,
            GroupId = "chaos-reconciliation-" + Guid.NewGuid().ToString("N"),
            IsolationLevel = IsolationLevel.ReadCommitted,
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).SetValueDeserializer(deserializer).Build();
        var view = new Dictionary<string, List<(int, long)>>();
        var starts = new List<TopicPartitionOffset>();
        for (var p = 0; p < partitions; p++)
        {
            var tp = new TopicPartition(KafkaTopics.DocumentEvents, p);
            ends[p] = WholeLogEnd(consumer, tp);
            starts.Add(new TopicPartitionOffset(tp, Offset.Beginning));
        }

        consumer.Assign(starts);
        var open = Enumerable.Range(0, partitions).Where(p => ends[p] > 0).ToHashSet();
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (open.Count > 0 && DateTime.UtcNow < deadline)
        {
            var record = consumer.Consume(TimeSpan.FromSeconds(1));
            if (record is null)
            {
                continue;
            }

            if (record.IsPartitionEOF || record.Offset.Value >= ends[record.Partition.Value] - 1)
            {
                open.Remove(record.Partition.Value);
            }

            if (record.IsPartitionEOF || record.Offset.Value >= ends[record.Partition.Value])
            {
                continue;
            }

            var source = (GenericRecord)record.Message.Value["source"];
            var id = (string)source["provider_event_id"];
            if (!view.TryGetValue(id, out var list))
            {
                view[id] = list = [];
            }

            list.Add((record.Partition.Value, record.Offset.Value));
        }

        if (open.Count > 0)
        {
            throw new TimeoutException($"documents.events.v1 partitions {string.Join(",", open)} not read to their end");
        }

        return view;
    }

    /// <summary>Reads a whole topic (read_uncommitted: everything written) and counts records and records holding any marker.</summary>
    private (int Count, int Found) Scan(string topic, List<byte[]> markers)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = pipeline.Kafka,
            GroupId = "chaos-scan-" + Guid.NewGuid().ToString("N"),
            IsolationLevel = IsolationLevel.ReadUncommitted,
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).Build();
        var ends = new long[partitions];
        var starts = new List<TopicPartitionOffset>();
        for (var p = 0; p < partitions; p++)
        {
            var tp = new TopicPartition(topic, p);
            ends[p] = WholeLogEnd(consumer, tp);
            starts.Add(new TopicPartitionOffset(tp, Offset.Beginning));
        }

        consumer.Assign(starts);
        var open = Enumerable.Range(0, partitions).Where(p => ends[p] > 0).ToHashSet();
        var (count, found) = (0, 0);
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (open.Count > 0 && DateTime.UtcNow < deadline)
        {
            var record = consumer.Consume(TimeSpan.FromSeconds(1));
            if (record is null)
            {
                continue;
            }

            if (record.IsPartitionEOF || record.Offset.Value >= ends[record.Partition.Value] - 1)
            {
                open.Remove(record.Partition.Value);
            }

            if (record.IsPartitionEOF)
            {
                continue;
            }

            count++;
            var value = record.Message.Value ?? [];
            var key = record.Message.Key ?? [];
            if (markers.Any(m => value.AsSpan().IndexOf(m) >= 0 || key.AsSpan().IndexOf(m) >= 0))
            {
                found++;
                log.WriteLine($"a tampered request's content is in {topic} at {record.Partition.Value}@{record.Offset.Value}");
            }
        }

        if (open.Count > 0)
        {
            throw new TimeoutException($"{topic} partitions {string.Join(",", open)} not read to their end");
        }

        return (count, found);
    }

    /// <summary>The partition's end, once it is sure the log still starts at offset 0.</summary>
    private static long WholeLogEnd<TKey, TValue>(IConsumer<TKey, TValue> consumer, TopicPartition tp)
    {
        var watermarks = consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10));
        if (watermarks.Low.Value > 0)
        {
            // librdkafka's mock broker keeps about 5 MB or 100,000 records per partition and drops the oldest beyond.
            throw new InvalidOperationException(
                $"{tp.Topic}/{tp.Partition.Value}: the broker dropped its oldest records (log start {watermarks.Low.Value}), so the stream cannot be " +
                "reconciled: run with more partitions (--partitions, CHAOS_PARTITIONS) or fewer webhooks");
        }

        return watermarks.High.Value;
    }
}
