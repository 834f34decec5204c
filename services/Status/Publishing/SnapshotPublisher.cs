using System.Collections.Concurrent;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Microsoft.Extensions.Options;
using Streaming.Kafka;
using static Streaming.SchemaRegistry.CallerThreadSerdes;
using Streaming.Status.Projection;
using Streaming.Status.Store;
using Contract = streaming.documents.status.v1;

namespace Streaming.Status.Publishing;

/// <summary>
/// Writes each document's committed state to the compacted topic documents.status.v1 (key = document token, value =
/// DocumentStatus through Confluent's AvroSerializer), at least once. The projection queues every changed document in
/// the store's outbox inside the batch's transaction; after the commit this publisher produces the new states, and
/// rows are deleted only once Kafka acknowledged that version. Whatever a crash leaves between commit and produce is
/// still in the outbox: the replica that next owns the document's documents.events.v1 partition produces it when the
/// partition is assigned. A snapshot may therefore arrive twice, never older after newer from the same owner;
/// subscribers keep the highest version. Called from the projection's thread only; delivery reports arrive on the
/// producer's.
/// </summary>
public sealed partial class SnapshotPublisher : IDisposable
{
    private static readonly TimeSpan TidyInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(30);

    private readonly KafkaConnection _kafka;
    private readonly ISchemaRegistryClient _registry;
    private readonly IStatusStore _store;
    private readonly StatusOptions _options;
    private readonly bool _autoRegister;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<PublishedSnapshot> _acknowledged = new();
    private readonly ConcurrentDictionary<int, bool> _failedPartitions = new();
    private IProducer<string, Contract.DocumentStatus>? _producer;
    private volatile bool _producerFatal;
    private DateTime _lastTidy = DateTime.UtcNow;
    private DateTime _nextRetry = DateTime.MinValue;
    private TimeSpan _retryDelay = FirstRetry;
    private long _produced;
    private long _delivered;
    private long _failed;

    public SnapshotPublisher(KafkaConnection kafka, ISchemaRegistryClient registry, IStatusStore store, IOptions<StatusOptions> options, IHostEnvironment environment, ILogger<SnapshotPublisher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        _kafka = kafka;
        _registry = registry;
        _store = store;
        _options = options.Value;
        // Confluent's auto.register.schemas: only where no deployment step registers the contract.
        _autoRegister = _options.AutoRegisterSchemas ?? environment.IsDevelopment();
        _logger = logger;
    }

    /// <summary>The topic snapshots go to.</summary>
    public string Topic => _options.SnapshotTopic;

    /// <summary>Snapshots handed to the producer.</summary>
    public long Produced => Interlocked.Read(ref _produced);

    /// <summary>Snapshots Kafka acknowledged.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Snapshots that could not be produced (they stay in the outbox and are produced again).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>
    /// Registers the DocumentStatus contract under the topic's subject (auto-registration on) or checks that a deployment
    /// step did (off): without it every snapshot would fail, so the service stops at start with the reason instead.
    /// </summary>
    public async Task EnsureContractAsync(CancellationToken cancellationToken)
    {
        var subject = SchemaRegistry.SubjectNames.TopicValue(Topic);
        var schema = new Schema(Contract.DocumentStatusSchema.Json, SchemaType.Avro);
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                var id = _autoRegister
                    ? await _registry.RegisterSchemaAsync(subject, schema).WaitAsync(cancellationToken)
                    : (await _registry.LookupSchemaAsync(subject, schema, ignoreDeletedSchemas: true).WaitAsync(cancellationToken)).Id;
                LogContract(_logger, subject, id);
                return;
            }
            catch (SchemaRegistryException e) when (!_autoRegister && e.Status == System.Net.HttpStatusCode.NotFound)
            {
                throw new InvalidOperationException(
                    $"The DocumentStatus contract is not registered under {subject} and Status:AutoRegisterSchemas is off: run the deployment step " +
                    $"that registers contracts/avro/DocumentStatus.avsc (register-schemas), or set Status:PublishSnapshots=false (registry said: {e.Message})", e);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // The registry is not up yet: the projection needs it anyway, so wait for it.
                LogRegistryRetry(_logger, e.Message);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetry.Ticks));
            }
        }
    }

    /// <summary>After a commit: the state each changed document ended in (the last change per token).</summary>
    public void Publish(IReadOnlyList<DocumentChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var latest = new Dictionary<string, DocumentChange>(StringComparer.Ordinal);
        foreach (var change in changes)
        {
            latest[change.Document.DocumentToken] = change;
        }

        foreach (var change in latest.Values)
        {
            Produce(change.Document, change.Event?.SourcePartition ?? change.Document.LastEvent.SourcePartition);
        }
    }

    /// <summary>
    /// On assignment (and after a failure): produces the current state of every document the outbox holds for these
    /// partitions, i.e. committed by a predecessor (or by this replica) but never acknowledged.
    /// </summary>
    public void PublishUnpublished(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        if (partitions.Count == 0)
        {
            return;
        }

        IReadOnlyList<DocumentSnapshot> pending;
        try
        {
            pending = _store.ReadUnpublishedAsync(partitions, cancellationToken).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogOutboxError(_logger, "reading", e);
            foreach (var p in partitions)
            {
                _failedPartitions[p] = true;
            }

            return;
        }

        if (pending.Count > 0)
        {
            LogRepublishing(_logger, pending.Count, partitions);
        }

        foreach (var document in pending)
        {
            Produce(document, document.LastEvent.SourcePartition);
        }
    }

    /// <summary>
    /// Housekeeping between batches: deletes acknowledged versions from the outbox (at most once a second, or whenever
    /// the projection is idle) and produces again what failed, for partitions this replica still owns.
    /// </summary>
    public void Tick(bool idle, IReadOnlyCollection<int> owned, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owned);
        var now = DateTime.UtcNow;
        if (_producerFatal && _producer is { } broken)
        {
            // An idempotent producer that hit a fatal error produces nothing more: start a new one, and produce again
            // everything not acknowledged.
            _producer = null;
            _producerFatal = false;
            broken.Dispose();
            foreach (var p in owned)
            {
                _failedPartitions[p] = true;
            }
        }

        if (!_acknowledged.IsEmpty && (idle || now - _lastTidy >= TidyInterval))
        {
            _lastTidy = now;
            var done = new Dictionary<string, long>(StringComparer.Ordinal);
            while (done.Count < 10_000 && _acknowledged.TryDequeue(out var ack))
            {
                done[ack.DocumentToken] = Math.Max(done.GetValueOrDefault(ack.DocumentToken), ack.Version);
            }

            try
            {
                _store.MarkPublishedAsync(done.Select(d => new PublishedSnapshot(d.Key, d.Value)).ToList(), cancellationToken).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The rows stay: they are produced once more after the next assignment (a duplicate, never a loss).
                LogOutboxError(_logger, "tidying", e);
            }
        }

        if (!_failedPartitions.IsEmpty && now >= _nextRetry)
        {
            // Each taken out on its own: a failure reported meanwhile stays for the next round.
            var retry = _failedPartitions.Keys.Where(p => _failedPartitions.TryRemove(p, out _) && owned.Contains(p)).ToList();
            _nextRetry = now + _retryDelay;
            _retryDelay = TimeSpan.FromTicks(Math.Min(_retryDelay.Ticks * 2, MaxRetry.Ticks));
            PublishUnpublished(retry, cancellationToken);
        }
    }

    /// <summary>Waits for every snapshot in flight: before giving partitions up, so the next owner's snapshots come after ours.</summary>
    public void Flush(TimeSpan timeout)
    {
        if (_producer is { } producer && producer.Flush(timeout) > 0)
        {
            LogFlushTimeout(_logger, timeout.TotalSeconds);
        }
    }

    public void Dispose()
    {
        Flush(TimeSpan.FromSeconds(10));
        _producer?.Dispose();
    }

    private void Produce(DocumentSnapshot document, int eventsPartition)
    {
        var snapshot = SnapshotMapping.ToSnapshot(document);
        try
        {
            Producer().Produce(Topic, new Message<string, Contract.DocumentStatus> { Key = document.DocumentToken, Value = snapshot }, report => OnDelivery(report, eventsPartition));
            Interlocked.Increment(ref _produced);
        }
        catch (ProduceException<string, Contract.DocumentStatus> e)
        {
            // Not even queued (the registry cannot be reached, the local queue is full): produced again later.
            Failure(eventsPartition, e.Error.Reason, e);
        }
        catch (KafkaException e)
        {
            Failure(eventsPartition, e.Error.Reason, e);
        }
    }

    private void OnDelivery(DeliveryReport<string, Contract.DocumentStatus> report, int eventsPartition)
    {
        if (report.Error.IsError)
        {
            Failure(eventsPartition, report.Error.Reason, null);
            return;
        }

        Interlocked.Increment(ref _delivered);
        _retryDelay = FirstRetry;
        _acknowledged.Enqueue(new PublishedSnapshot(report.Message.Key, report.Message.Value.Version));
    }

    private void Failure(int eventsPartition, string reason, Exception? exception)
    {
        Interlocked.Increment(ref _failed);
        // Once per partition and retry round: a broker that is down fails every snapshot in flight.
        if (_failedPartitions.TryAdd(eventsPartition, true))
        {
            LogProduceFailed(_logger, Topic, reason, exception);
        }
    }

    private IProducer<string, Contract.DocumentStatus> Producer()
    {
        if (_producer is { } existing)
        {
            return existing;
        }

        var config = new ProducerConfig(new Dictionary<string, string>(_kafka.ClientConfig()))
        {
            Acks = Acks.All,
            EnableIdempotence = true,
            // Same key, same partition, whichever replica or client writes: compaction keeps one record per token only then.
            Partitioner = KafkaClientDefaults.KeyPartitioner,
            LingerMs = 5,
            ReconnectBackoffMaxMs = KafkaClientDefaults.ReconnectBackoffMaxMs,
        };
        var serializer = new AvroSerializer<Contract.DocumentStatus>(_registry, new AvroSerializerConfig { AutoRegisterSchemas = _autoRegister });
        _producer = new ProducerBuilder<string, Contract.DocumentStatus>(config)
            // Produce() runs on the projection's own thread: serialized there, not through the thread pool and back per
            // snapshot (AsSyncOverAsync's hop took half the projection's time under load).
            .SetValueSerializer(serializer.OnCallerThread())
            .SetErrorHandler((_, error) =>
            {
                LogKafkaError(_logger, error.Code, error.Reason, error.IsFatal);
                _producerFatal |= error.IsFatal;
            })
            .Build();
        return _producer;
    }

    [LoggerMessage(EventId = 240, Level = LogLevel.Information, Message = "DocumentStatus schema under {Subject} has id {SchemaId}")]
    private static partial void LogContract(ILogger logger, string subject, int schemaId);

    [LoggerMessage(EventId = 241, Level = LogLevel.Warning, Message = "Schema registry not reachable yet: {Error}")]
    private static partial void LogRegistryRetry(ILogger logger, string error);

    [LoggerMessage(EventId = 242, Level = LogLevel.Information, Message = "Producing {Count} committed status snapshot(s) never acknowledged, of partitions {Partitions}")]
    private static partial void LogRepublishing(ILogger logger, int count, IReadOnlyCollection<int> partitions);

    [LoggerMessage(EventId = 243, Level = LogLevel.Warning, Message = "A status snapshot to {Topic} failed, it will be produced again: {Reason}")]
    private static partial void LogProduceFailed(ILogger logger, string topic, string reason, Exception? exception);

    [LoggerMessage(EventId = 244, Level = LogLevel.Warning, Message = "Status snapshot outbox: error while {What}")]
    private static partial void LogOutboxError(ILogger logger, string what, Exception exception);

    [LoggerMessage(EventId = 245, Level = LogLevel.Warning, Message = "Status snapshots still in flight after {Seconds} s; they stay in the outbox")]
    private static partial void LogFlushTimeout(ILogger logger, double seconds);

    [LoggerMessage(EventId = 246, Level = LogLevel.Warning, Message = "Status snapshot producer: Kafka error {Code}: {Reason} (fatal: {Fatal})")]
    private static partial void LogKafkaError(ILogger logger, ErrorCode code, string reason, bool fatal);
}
