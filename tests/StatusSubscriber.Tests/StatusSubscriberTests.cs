using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Streaming.Contracts.Status.V1;
using Streaming.Kafka;
using Streaming.Samples.StatusSubscriber;
using Streaming.SchemaRegistry.Server;
using Streaming.Status;
using Streaming.Status.Projection;
using Streaming.Testing;
using streaming.documents.v1;
using EventStatus = streaming.documents.v1.DocumentStatus;
using Snapshot = streaming.documents.status.v1.DocumentStatus;

namespace Streaming.Samples.StatusSubscriber.Tests;

/// <summary>
/// The sample subscriber against the real status service on the test broker: the table it bootstraps from the status
/// topic is what the gRPC API answers, and it keeps following both topics afterwards.
/// </summary>
public sealed class StatusSubscriberTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly DateTime T0 = new(2026, 3, 1, 9, 0, 0, DateTimeKind.Utc);

    private readonly string _events = TestKafka.CreateTopic("subscriber-events", 3);
    private readonly string _snapshots = TestKafka.CreateTopic("subscriber-status", 3);
    private readonly string _database = Path.Combine(Directory.CreateTempSubdirectory("subscriber-").FullName, "status.db");
    private WebApplication _registry = null!;
    private WebApplication _status = null!;
    private Uri _registryUrl = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSchemaRegistry();
        _registry = builder.Build();
        _registry.MapSchemaRegistry();
        await _registry.StartAsync();
        _registryUrl = new Uri(_registry.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());

        _status = StatusApplication.Create(
        [
            "--urls=http://127.0.0.1:0",
            $"--Kafka:BootstrapServers={TestKafka.BootstrapServers}",
            "--Kafka:AutoCreateTopics=false",
            $"--Status:Topic={_events}",
            $"--Status:SnapshotTopic={_snapshots}",
            $"--Status:GroupId=status-{Guid.NewGuid():N}",
            $"--SchemaRegistry:Url={_registryUrl}",
            "--Status:AutoRegisterSchemas=true",
            $"--Status:SqlitePath={_database}",
            "--Status:GrpcPort=0",
        ], b => b.Logging.SetMinimumLevel(LogLevel.Warning));
        await _status.StartAsync();
        await Eventually.True(() => _status.Services.GetRequiredService<ProjectionWorker>().Loop is { AssignedPartitions: 3 }, Wait, "the status service to own its partitions");
    }

    public async Task DisposeAsync()
    {
        await _status.StopAsync();
        await _status.DisposeAsync();
        await _registry.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(_database)!, recursive: true);
    }

    [Fact]
    public async Task The_bootstrapped_table_is_the_grpc_state_and_follows_new_events_and_snapshots()
    {
        // Five documents, each delivered out of order, one provider retry: the status service decides their status.
        using var producer = new EventWriter(_events, _registryUrl);
        var tokens = Enumerable.Range(0, 5).Select(i => $"sub-doc-{i}").ToList();
        foreach (var token in tokens)
        {
            await producer.WriteAsync(Event(token, "completed", EventType.DOCUMENT_COMPLETED, EventStatus.COMPLETED, minute: 3));
            await producer.WriteAsync(Event(token, "sent", EventType.LINK_SENT, EventStatus.PENDING, minute: 0));
            await producer.WriteAsync(Event(token, "signed", EventType.SIGNER_SIGNED, EventStatus.IN_PROGRESS, minute: 2));
        }

        await producer.WriteAsync(Event(tokens[1], "signed", EventType.SIGNER_SIGNED, EventStatus.IN_PROGRESS, minute: 2));
        using var channel = GrpcChannel.ForAddress(_status.GrpcAddress());
        var api = new DocumentStatusService.DocumentStatusServiceClient(channel);
        await Eventually.True(async () => (await Task.WhenAll(tokens.Select(async t => await State(api, t)))).All(s => s?.EventCount == 3), Wait, "the status service to apply every event");

        // A new subscriber bootstraps from the status topic alone.
        using var subscriber = new StatusSubscriber(new SubscriberOptions
        {
            BootstrapServers = TestKafka.BootstrapServers,
            SchemaRegistryUrl = _registryUrl.ToString(),
            GroupId = $"test.status-subscriber.{Guid.NewGuid():N}",
            StatusTopic = _snapshots,
            EventsTopic = _events,
            // A new group from the start: the handler sees the history too (with Latest, where it starts is a race).
            EventsFrom = AutoOffsetReset.Earliest,
        });
        await Eventually.True(() =>
        {
            subscriber.Bootstrap(CancellationToken.None);
            return tokens.All(t => subscriber.Table.Get(t)?.Version == 3);
        }, Wait, "the status topic to hold every document's final snapshot");
        foreach (var token in tokens)
        {
            AssertSame((await State(api, token))!, subscriber.Table.Get(token)!);
        }

        // Then it follows: a new event reaches the handler, and the table moves to the snapshot that event caused.
        var seen = new List<DocumentEvent>();
        using var stop = new CancellationTokenSource();
        var following = subscriber.FollowAsync((e, _, _) =>
        {
            lock (seen)
            {
                seen.Add(e);
            }

            return Task.CompletedTask;
        }, stop.Token);
        await Eventually.True(() => subscriber.FollowingEvents, Wait, "the subscriber's events consumer to be assigned");
        await producer.WriteAsync(Event(tokens[0], "reversed", EventType.CUSTOMER_REJECTED, EventStatus.REJECTED, minute: 9));
        await Eventually.True(() => subscriber.Table.Get(tokens[0])?.Version == 4, Wait, "the new snapshot in the table");
        await Eventually.True(() =>
        {
            lock (seen)
            {
                return seen.Any(e => e.EventId == $"{tokens[0]}-reversed");
            }
        }, Wait, "the new event at the handler");
        AssertSame((await State(api, tokens[0]))!, subscriber.Table.Get(tokens[0])!);
        lock (seen)
        {
            // read_committed, its own group: every distinct event, the provider retry included (dedupe is the handler's, on event_id).
            Assert.Equal(17, seen.Count);
            Assert.Equal(16, seen.Select(e => e.EventId).Distinct().Count());
        }

        Assert.Equal(streaming.documents.status.v1.LifecycleStatus.REJECTED, subscriber.Table.Get(tokens[0])!.Status);

        // A tombstone removes the document; a re-delivered older snapshot changes nothing.
        using (var raw = new ProducerBuilder<string, byte[]?>(new ProducerConfig { BootstrapServers = TestKafka.BootstrapServers, Partitioner = KafkaClientDefaults.KeyPartitioner }).Build())
        {
            await raw.ProduceAsync(_snapshots, new Message<string, byte[]?> { Key = tokens[4], Value = null });
        }

        await Eventually.True(() => subscriber.Table.Get(tokens[4]) is null, Wait, "the tombstone to remove the document");
        await stop.CancelAsync();
        await following;

        var stale = subscriber.Table.Get(tokens[1])!;
        Assert.False(subscriber.Table.Apply(tokens[1], new Snapshot { DocumentToken = tokens[1], Version = stale.Version - 1 }));
        Assert.Same(stale, subscriber.Table.Get(tokens[1]));
    }

    private static async Task<DocumentState?> State(DocumentStatusService.DocumentStatusServiceClient api, string token)
    {
        try
        {
            return await api.GetDocumentStatusAsync(new GetDocumentStatusRequest { DocumentToken = token });
        }
        catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
        {
            return null;
        }
    }

    private static void AssertSame(DocumentState api, Snapshot row)
    {
        Assert.Equal(api.EventCount, row.Version);
        Assert.Equal(api.EventCount, row.EventCount);
        Assert.Equal((int)api.Status, (int)row.Status);
        Assert.Equal(api.StatusEventId, row.StatusEventId);
        Assert.Equal(api.StatusChangedAt.ToDateTime(), row.StatusChangedAt);
        Assert.Equal(api.Provider, row.Provider);
        Assert.Equal(api.LastEvent.EventId, row.LastEvent.EventId);
        Assert.Equal(api.UpdatedAt.ToDateTime(), row.UpdatedAt);
    }

    private static DocumentEvent Event(string token, string name, EventType type, EventStatus status, int minute) => new()
    {
        EventId = $"{token}-{name}",
        Provider = "inkless",
        ProviderEventType = name,
        EventType = type,
        Status = status,
        DocumentToken = token,
        OccurredAt = T0.AddMinutes(minute),
        ReceivedAt = T0.AddMinutes(minute).AddSeconds(1),
        Source = new RawRecordRef { Topic = "webhooks.raw.v1", ProviderEventId = $"{token}-{name}" },
    };

    /// <summary>Writes DocumentEvents as the normalizer does: Confluent's AvroSerializer, key = document token.</summary>
    private sealed class EventWriter : IDisposable
    {
        private readonly string _topic;
        private readonly CachedSchemaRegistryClient _registry;
        private readonly IProducer<string, DocumentEvent> _producer;

        public EventWriter(string topic, Uri registry)
        {
            _topic = topic;
            _registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = registry.ToString() });
            _producer = new ProducerBuilder<string, DocumentEvent>(new ProducerConfig
            {
                BootstrapServers = TestKafka.BootstrapServers,
                EnableIdempotence = true,
                Partitioner = KafkaClientDefaults.KeyPartitioner,
            }).SetValueSerializer(new AvroSerializer<DocumentEvent>(_registry)).Build();
        }

        public async Task WriteAsync(DocumentEvent e) => await _producer.ProduceAsync(_topic, new Message<string, DocumentEvent> { Key = e.DocumentToken, Value = e });

        public void Dispose()
        {
            _producer.Flush(TimeSpan.FromSeconds(5));
            _producer.Dispose();
            _registry.Dispose();
        }
    }
}
