using System.Buffers.Binary;
using System.Net.Http.Json;
using System.Text;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Streaming.Kafka;
using Streaming.Normalizer.Contract;
using Streaming.SchemaRegistry;
using Streaming.Testing;

namespace Streaming.Normalizer.Tests;

/// <summary>The normalizer end to end on the test broker (embedded mock cluster, or KAFKA_BOOTSTRAP_SERVERS).</summary>
public sealed class PipelineTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Normalizes_every_provider_with_test_mode_trace_context_and_registered_schema()
    {
        var setup = NormalizerSetup.Create();
        await using var host = await NormalizerHost.StartAsync(setup);
        RawWebhook[] webhooks =
        [
            RawWebhooks.Create("inkless", "document_signed", testMode: true),
            RawWebhooks.Create("instnt", "docuemnt.verification.failure"),
            RawWebhooks.Create("insigner", "signer.completed", testMode: true),
            RawWebhooks.Create("inscribe", "customer.approval_status_changed"),
            RawWebhooks.Create("generic", "verification.completed"),
        ];
        await setup.ProduceAsync(webhooks);

        var events = setup.ReadEvents(webhooks.Length, Wait);

        Assert.Equal(webhooks.Length, events.Count);
        foreach (var webhook in webhooks)
        {
            var (record, e) = Assert.Single(events, x => x.Record.Message.Key == webhook.Key);
            Assert.Equal(webhook.Provider, e["provider"]);
            Assert.Equal(webhook.Headers[RawEventHeaders.TestMode] == "true", e["test"]);
            Assert.Equal(RawWebhooks.TraceParent, RawEventHeaders.Get(record.Message.Headers, RawEventHeaders.TraceParent));
            Assert.Equal(e["event_id"], RawEventHeaders.Get(record.Message.Headers, RawEventHeaders.EventId));
            var source = (GenericRecord)e["source"]!;
            Assert.Equal(setup.Input, source["topic"]);
            Assert.Equal(webhook.EventId, source["provider_event_id"]);
        }

        Assert.Equal("REJECTED", ((GenericEnum)events.Single(x => (string)x.Event["provider"]! == "instnt").Event["status"]!).Value);

        // The value is in Confluent's wire format with the id the registry (hosted by the normalizer itself) gave the contract.
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryClientOptions { Url = host.Address }.ToConfluentConfig());
        var registered = await registry.GetLatestSchemaAsync(SubjectNames.TopicValue(setup.Output));
        Assert.Equal(host.Worker.SchemaId, registered.Id);
        Assert.Equal(host.Worker.SchemaId, BinaryPrimitives.ReadInt32BigEndian(events[0].Record.Message.Value.AsSpan(1, 4)));
        var deserializer = new AvroDeserializer<GenericRecord>(registry);
        var viaRegistry = await deserializer.DeserializeAsync(
            events[0].Record.Message.Value, isNull: false, new SerializationContext(MessageComponentType.Value, setup.Output));
        Assert.Equal(events[0].Event, viaRegistry);

        // Apache Avro for Python reads the bytes the normalizer produced.
        var decoded = PythonAvro.Decode(events.Select(x => x.Record.Message.Value));
        Assert.Equal(events.Select(x => (string)x.Event["event_id"]!), decoded.Select(d => d.GetProperty("event_id").GetString()));
        Assert.All(decoded, d => Assert.Equal(host.Worker.SchemaId, d.GetProperty("_schema_id").GetInt32()));

        using var http = new HttpClient { BaseAddress = host.Address };
        Assert.True((await http.GetAsync(new Uri("/health/ready", UriKind.Relative))).IsSuccessStatusCode);
    }

    [Fact]
    public async Task Poison_records_go_to_the_DLQ_with_their_bytes_and_the_partition_keeps_flowing()
    {
        var setup = NormalizerSetup.Create(partitions: 1);
        await using var host = await NormalizerHost.StartAsync(setup, strict: true);
        var before = RawWebhooks.Create("inkless", "document_complete");
        var unparsable = RawWebhooks.Unparsable();
        var unkeyed = RawWebhooks.Unkeyed();
        var unknown = RawWebhooks.Create("inkless", "document_shredded");
        var after = RawWebhooks.Create("inkless", "envelope_complete");
        await setup.ProduceAsync(before, unparsable, unkeyed, unknown, after);

        var events = setup.ReadEvents(2, Wait);
        var dead = setup.ReadDeadLetters(3, Wait);

        Assert.Equal([before.Key, after.Key], events.Select(e => e.Record.Message.Key));
        Assert.Equal(3, dead.Count);
        var reasons = dead.Select(d => RawEventHeaders.Get(d.Message.Headers, RawEventHeaders.DeadLetterReason)).ToList();
        Assert.Equal(["unparsable-json", "missing-document-token", "unknown-event-type"], reasons);
        RawWebhook[] poisons = [unparsable, unkeyed, unknown];
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(poisons[i].Body, dead[i].Message.Value);
            Assert.Equal(poisons[i].Key, dead[i].Message.Key);
            foreach (var (name, value) in poisons[i].Headers)
            {
                Assert.Equal(value, RawEventHeaders.Get(dead[i].Message.Headers, name));
            }

            Assert.Equal(setup.Input, RawEventHeaders.Get(dead[i].Message.Headers, RawEventHeaders.SourceTopic));
            Assert.Equal("0", RawEventHeaders.Get(dead[i].Message.Headers, RawEventHeaders.SourcePartition));
            Assert.Equal((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), RawEventHeaders.Get(dead[i].Message.Headers, RawEventHeaders.SourceOffset));
        }

        await Eventually.True(() => setup.CommittedOffsets() == 5, Wait, "every raw record's offset committed");
    }

    [Fact]
    public async Task Keeps_per_document_order()
    {
        var setup = NormalizerSetup.Create(partitions: 3);
        await using var host = await NormalizerHost.StartAsync(setup, batchSize: 7);
        var tokens = Enumerable.Range(0, 6).Select(_ => RawWebhooks.NewToken()).ToArray();
        var webhooks = new List<RawWebhook>();
        for (var step = 0; step < 10; step++)
        {
            foreach (var token in tokens)
            {
                webhooks.Add(RawWebhooks.Create("insigner", "signer.completed", token: token, set: new Dictionary<string, string> { ["/data/signer_id"] = $"sgn_{step}" }));
            }
        }

        await setup.ProduceAsync([.. webhooks]);
        var events = setup.ReadEvents(webhooks.Count, Wait);

        Assert.Equal(webhooks.Count, events.Count);
        foreach (var token in tokens)
        {
            var signers = events.Where(e => e.Record.Message.Key == token).Select(e => ((GenericRecord)e.Event["subject"]!)["id"]).ToList();
            Assert.Equal(Enumerable.Range(0, 10).Select(i => $"sgn_{i}"), signers);
        }
    }

    [Fact]
    public async Task Provider_retries_produce_one_event_also_across_a_restart()
    {
        var setup = NormalizerSetup.Create(partitions: 2);
        var signed = RawWebhooks.Create("insigner", "document.completed");
        var retry = RawWebhooks.Create("insigner", "document.completed", token: signed.Key, eventId: signed.EventId, at: DateTimeOffset.UtcNow.AddSeconds(10));
        var inkless = RawWebhooks.Create("inkless", "document_signed");
        var inklessIdentical = inkless with { };
        var generic = RawWebhooks.Create("generic", "verification.completed");

        await using (var first = await NormalizerHost.StartAsync(setup))
        {
            await setup.ProduceAsync(signed, retry, inkless, inklessIdentical, generic);
            await Eventually.True(() => setup.CommittedOffsets() == 5, Wait, "the first five raw records committed");
            Assert.Equal(2, first.Worker.Transform!.Duplicates);
        }

        // Same provider events again, to a new process that must learn what was written from the output topic.
        var genericRetry = RawWebhooks.Create("generic", "verification.completed", token: generic.Key, eventId: generic.EventId);
        var fresh = RawWebhooks.Create("instnt", "document.submitted");
        await using (var second = await NormalizerHost.StartAsync(setup))
        {
            await setup.ProduceAsync(retry, inklessIdentical, genericRetry, fresh);
            await Eventually.True(() => setup.CommittedOffsets() == 9, Wait, "the retries committed");
            Assert.Equal(3, second.Worker.Transform!.Duplicates);
        }

        var events = setup.ReadEvents(5, TimeSpan.FromSeconds(5));
        Assert.Equal(4, events.Count);
        Assert.Equal(4, events.Select(e => (string)e.Event["event_id"]!).Distinct().Count());
        Assert.Equal(
            new[] { signed.Key, inkless.Key, generic.Key, fresh.Key }.Order(),
            events.Select(e => e.Record.Message.Key!).Order());
    }
}
