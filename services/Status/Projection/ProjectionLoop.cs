using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Streaming.Status.Publishing;
using Streaming.Kafka;
using Streaming.Status.Store;
using Streaming.Status.Watching;

namespace Streaming.Status.Projection;

/// <summary>How a <see cref="ProjectionLoop"/> connects and batches.</summary>
public sealed record ProjectionSettings(
    ClientConfig Client,
    string Topic,
    string GroupId,
    int BatchSize,
    TimeSpan BatchWindow,
    TimeSpan FetchWait,
    TimeSpan SessionTimeout,
    GroupProtocol GroupProtocol = GroupProtocol.Classic);

/// <summary>
/// Consumes documents.events.v1 (read_committed) into the store, exactly once: each batch's events, dead letters
/// and next offsets commit in one database transaction, and partitions resume from the offsets in the database,
/// never from Kafka's (those are committed too, after the database, for lag monitoring only). A stored offset that
/// moved under us (another replica had the partition) rolls the batch back and re-seeks. Changes go to watchers
/// only after the commit, and so do snapshots to documents.status.v1 (<see cref="SnapshotPublisher"/>, when given).
/// While a batch's transaction runs, the loop reads and decodes what the consumer already holds; that batch starts
/// only once the previous one committed (its offsets follow on), and is read again from the committed offsets when the
/// previous one failed. Rebalances and stops wait for the transaction in flight.
/// </summary>
public sealed partial class ProjectionLoop
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan SnapshotFlushTimeout = TimeSpan.FromSeconds(10);

    private readonly ProjectionSettings _settings;
    private readonly IStatusStore _store;
    private readonly DocumentEventDecoder _decoder;
    private readonly ChangeFeed _feed;
    private readonly ILogger _logger;
    private readonly ProjectionFaults? _faults;
    private readonly SnapshotPublisher? _snapshots;
    private readonly StatusTelemetry? _telemetry;
    private readonly ConsumerLagMonitor? _lag;
    private readonly List<ConsumeResult<byte[]?, byte[]?>> _pending = [];
    private readonly Dictionary<int, long?> _expected = [];
    private readonly Lock _statsLock = new();
    private CancellationToken _stopping;
    private TimeSpan _backoff = TimeSpan.FromMilliseconds(200);
    private long _applied;
    private long _duplicates;
    private long _deadLetters;
    private long _batches;
    private long _conflicts;
    private bool _running;
    private int _assignedCount;
    private string? _lastError;
    private string? _rejectedByStore;
    private InFlight? _inFlight;
    private bool _resyncAfterRebalance;

    public ProjectionLoop(
        ProjectionSettings settings,
        IStatusStore store,
        DocumentEventDecoder decoder,
        ChangeFeed feed,
        ILogger logger,
        ProjectionFaults? faults = null,
        StatusTelemetry? telemetry = null,
        ConsumerLagMonitor? lag = null,
        SnapshotPublisher? snapshots = null)
    {
        _telemetry = telemetry;
        _lag = lag;
        _settings = settings;
        _store = store;
        _decoder = decoder;
        _feed = feed;
        _logger = logger;
        _faults = faults;
        _snapshots = snapshots;
    }

    /// <summary>Events that changed a document.</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Events skipped because their id was already projected.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    public long DeadLetters => Interlocked.Read(ref _deadLetters);

    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Batches rolled back because another consumer had moved the partition's offset.</summary>
    public long Conflicts => Interlocked.Read(ref _conflicts);

    /// <summary>How many partitions this consumer holds now.</summary>
    public int AssignedPartitions => Volatile.Read(ref _assignedCount);

    public bool Running
    {
        get => Volatile.Read(ref _running);
        private set => Volatile.Write(ref _running, value);
    }

    /// <summary>The last error that made the loop retry, until a batch succeeds again.</summary>
    public string? LastError
    {
        get
        {
            lock (_statsLock)
            {
                return _lastError;
            }
        }

        private set
        {
            lock (_statsLock)
            {
                _lastError = value;
            }
        }
    }

    /// <summary>Runs until <paramref name="stopping"/> is cancelled, then leaves the group.</summary>
    public void Run(CancellationToken stopping)
    {
        _stopping = stopping;
        using var consumer = Build();
        _lag?.Attach(consumer);
        try
        {
            consumer.Subscribe(_settings.Topic);
            Running = true;
            LogStarted(_logger, _settings.Topic, _settings.GroupId);
            while (!stopping.IsCancellationRequested)
            {
                RunBatch(consumer);
            }

            DrainInFlight(consumer);
            consumer.Close();
        }
        catch (SimulatedCrashException)
        {
            // Killed: no Close, nothing published; the group membership times out as it would for a dead process.
            LogSimulatedCrash(_logger);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            DrainInFlight(consumer);
            consumer.Close();
        }
        finally
        {
            Running = false;
            _lag?.Detach();
        }
    }

    private IConsumer<byte[]?, byte[]?> Build()
    {
        var config = new ConsumerConfig(new Dictionary<string, string>(_settings.Client))
        {
            GroupId = _settings.GroupId,
            IsolationLevel = IsolationLevel.ReadCommitted,
            // Offsets come from the database. Kafka's are stored after each commit for lag tools only (and, on the
            // embedded platform, for the broker's retention of documents.events.v1): committed every second.
            EnableAutoCommit = true,
            AutoCommitIntervalMs = 1000,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = false,
            FetchWaitMaxMs = (int)_settings.FetchWait.TotalMilliseconds,
            GroupProtocol = _settings.GroupProtocol,
            // The consumer protocol takes the session timeout from the broker; setting it makes Build() throw.
            SessionTimeoutMs = _settings.GroupProtocol == GroupProtocol.Classic ? (int)_settings.SessionTimeout.TotalMilliseconds : null,
            ReconnectBackoffMaxMs = Streaming.Kafka.KafkaClientDefaults.ReconnectBackoffMaxMs,
        };
        return new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetPartitionsAssignedHandler((c, partitions) =>
            {
                DrainInFlight(c);
                return Assigned(partitions);
            })
            .SetPartitionsRevokedHandler((c, partitions) =>
            {
                DrainInFlight(c);
                // Snapshots in flight land before the next owner's: it starts from the same committed state.
                _snapshots?.Flush(SnapshotFlushTimeout);
                Forget(partitions.Select(p => p.Partition.Value));
            })
            .SetPartitionsLostHandler((c, partitions) =>
            {
                DrainInFlight(c);
                Forget(partitions.Select(p => p.Partition.Value));
            })
            .SetErrorHandler((_, error) => LogKafkaError(_logger, error.Code, error.Reason, error.IsFatal))
            .Build();
    }

    /// <summary>Starts each assigned partition where the database says, not where Kafka's committed offset is.</summary>
    private List<TopicPartitionOffset> Assigned(List<TopicPartition> partitions)
    {
        var stored = WithRetry(() => _store.ReadOffsetsAsync(_settings.GroupId, _settings.Topic, _stopping).GetAwaiter().GetResult(), "reading offsets");
        var result = new List<TopicPartitionOffset>();
        foreach (var tp in partitions)
        {
            var next = stored.TryGetValue(tp.Partition.Value, out var o) ? o : (long?)null;
            _expected[tp.Partition.Value] = next;
            result.Add(new TopicPartitionOffset(tp, next is { } n ? new Offset(n) : Offset.Beginning));
        }

        Volatile.Write(ref _assignedCount, _expected.Count);
        // What a predecessor (or this process, before a crash) committed but never got acknowledged on documents.status.v1.
        _snapshots?.PublishUnpublished([.. partitions.Select(p => p.Partition.Value)], _stopping);

        if (_logger.IsEnabled(LogLevel.Information))
        {
            var described = string.Join(", ", result.Select(r => $"{r.Partition.Value}@{(r.Offset == Offset.Beginning ? "beginning" : r.Offset.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))}"));
            LogAssigned(_logger, described);
        }
        return result;
    }

    private void Forget(IEnumerable<int> partitions)
    {
        var lost = partitions.ToHashSet();
        foreach (var p in lost)
        {
            _expected.Remove(p);
        }

        _pending.RemoveAll(r => lost.Contains(r.Partition.Value));
        Volatile.Write(ref _assignedCount, _expected.Count);
    }

    private void RunBatch(IConsumer<byte[]?, byte[]?> consumer)
    {
        // A transaction that finished meanwhile is told to watchers now, not after the next poll.
        if (_inFlight is { Applying.IsCompleted: true } || (_inFlight is not null && _faults?.Paused == true))
        {
            FinishInFlight(consumer);
        }

        // Outbox housekeeping between batches; nothing pending means the last round found no records (idle).
        _snapshots?.Tick(idle: _pending.Count == 0 && _inFlight is null, _expected.Keys, _stopping);
        _faults?.WhilePaused(_stopping);
        _pending.Clear();
        try
        {
            if (_inFlight is not null)
            {
                // The previous batch's transaction is on its way: take what the consumer already holds, without waiting.
                while (_pending.Count < _settings.BatchSize && consumer.Consume(TimeSpan.Zero) is { } held)
                {
                    _pending.Add(held);
                }
            }
            else if (consumer.Consume(PollTimeout) is { } first)
            {
                _pending.Add(first);
                var window = Stopwatch.StartNew();
                while (_pending.Count < _settings.BatchSize)
                {
                    var remaining = _settings.BatchWindow - window.Elapsed;
                    var next = consumer.Consume(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
                    if (next is null)
                    {
                        break;
                    }

                    _pending.Add(next);
                }
            }
        }
        catch (ConsumeException e) when (!e.Error.IsFatal)
        {
            // E.g. the topic does not exist yet; what was read so far is still applied below.
            LogKafkaError(_logger, e.Error.Code, e.Error.Reason, false);
        }

        if (_resyncAfterRebalance)
        {
            // A transaction that was in flight when partitions were revoked failed: believe the database.
            _resyncAfterRebalance = false;
            _pending.Clear();
            Resync(consumer);
            return;
        }

        // Decoded while the previous transaction runs; that one finishes before this one starts (its offsets come first).
        var decoded = _pending.Count > 0 ? Decode() : null;
        if (_inFlight is not null && !FinishInFlight(consumer))
        {
            // It failed and was handled (retried, re-seeked or isolated): read these records again after it.
            foreach (var partition in _pending.Select(r => r.TopicPartition).Distinct().ToList())
            {
                Seek(consumer, partition, _expected.GetValueOrDefault(partition.Partition.Value));
            }

            _pending.Clear();
            return;
        }

        if (decoded is { Failure: { } registryError })
        {
            // The registry is unreachable: retry the same records later, never drop them.
            _telemetry?.StoreError("decode");
            Retry(consumer, "decoding (schema registry)", registryError);
        }
        else if (decoded is { } batch)
        {
            Start(batch);
            if (_inFlight is { Applying.IsCompleted: true })
            {
                // A store that commits before it returns (SQLite): go on from the outcome at once, as without read-ahead.
                FinishInFlight(consumer);
            }
        }
    }

    /// <summary>Applies the pending records now, finishing with the outcome (isolating records, re-applying one with its reason).</summary>
    private void ApplyPending(IConsumer<byte[]?, byte[]?> consumer)
    {
        var decoded = Decode();
        if (decoded.Failure is { } registryError)
        {
            _telemetry?.StoreError("decode");
            Retry(consumer, "decoding (schema registry)", registryError);
            return;
        }

        Start(decoded);
        FinishInFlight(consumer);
    }

    /// <summary>The pending records as a batch to apply after the current state (null failure), or the registry's error.</summary>
    private Decoded Decode()
    {
        var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var events = new List<ProjectedEvent>(_pending.Count);
        var dead = new List<DeadLetter>();
        var next = new Dictionary<int, long>();
        try
        {
            foreach (var record in _pending)
            {
                var partition = record.Partition.Value;
                var offset = record.Offset.Value;
                var decoded = _rejectedByStore is { } rejected
                    ? DecodeResult.Failed(rejected)
                    : _decoder.Decode(record.Message.Value, record.Topic, partition, offset);
                if (decoded.Event is { } e)
                {
                    events.Add(e);
                }
                else
                {
                    LogDeadLetter(_logger, record.Topic, partition, offset, decoded.Failure!);
                    dead.Add(new DeadLetter(record.Topic, partition, offset, KeyText(record.Message.Key), decoded.Failure!, nowMs));
                }

                next[partition] = offset + 1;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !_stopping.IsCancellationRequested)
        {
            return new Decoded([.. _pending], events, dead, next, nowMs, e);
        }

        return new Decoded([.. _pending], events, dead, next, nowMs, null);
    }

    /// <summary>Starts the batch's transaction (expecting each partition where the last commit left it).</summary>
    private void Start(Decoded decoded)
    {
        var progress = decoded.Next.Select(p => new PartitionProgress(_settings.Topic, p.Key, _expected.GetValueOrDefault(p.Key), p.Value)).ToList();
        var batch = new ProjectionBatch(_settings.GroupId, decoded.Events, decoded.Dead, progress, decoded.NowMs, QueueSnapshots: _snapshots is not null);
        var spans = StatusTelemetry.StartProcessing(decoded.Records, _settings.GroupId);
        _inFlight = new InFlight(decoded.Records, batch, spans, ApplyTimedAsync(batch));
    }

    private async Task<BatchResult> ApplyTimedAsync(ProjectionBatch batch)
    {
        var applying = Stopwatch.GetTimestamp();
        var result = await _store.ApplyAsync(batch, _stopping).ConfigureAwait(false);
        _telemetry?.StoreApplied(Stopwatch.GetElapsedTime(applying));
        return result;
    }

    /// <summary>
    /// Waits for the transaction in flight and goes on from its outcome: watchers, snapshots and offsets after a commit;
    /// otherwise re-seek (conflict), isolate the record the store refuses, or retry later. True when it committed.
    /// </summary>
    private bool FinishInFlight(IConsumer<byte[]?, byte[]?> consumer)
    {
        if (_inFlight is not { } flight)
        {
            return true;
        }

        _inFlight = null;
        var batches = Batches;
        var held = _pending.ToList();
        try
        {
            BatchResult result;
            try
            {
                result = flight.Applying.GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is not OperationCanceledException || !_stopping.IsCancellationRequested)
            {
                // The failed batch's records are the pending ones while the failure is handled (isolation re-applies them).
                _pending.Clear();
                _pending.AddRange(flight.Records);
                HandleFailure(consumer, e);
                return false;
            }

            Committed(consumer, flight.Batch, result);
            return true;
        }
        finally
        {
            _pending.Clear();
            _pending.AddRange(held);
            StatusTelemetry.StopProcessing(flight.Spans, committed: Batches != batches);
        }
    }

    /// <summary>
    /// In a rebalance callback or when stopping: waits for the transaction in flight and, once committed, goes on as after
    /// any commit. A failure is left to the database: the loop re-reads every assigned partition's offset from there next.
    /// </summary>
    private void DrainInFlight(IConsumer<byte[]?, byte[]?> consumer)
    {
        if (_inFlight is not { } flight)
        {
            return;
        }

        _inFlight = null;
        var batches = Batches;
        try
        {
            BatchResult result;
            try
            {
                result = flight.Applying.GetAwaiter().GetResult();
            }
            catch (Exception e)
            {
                LastError = $"writing to the store: {e.GetType().Name}: {e.Message}";
                _resyncAfterRebalance = true;
                return;
            }

            Committed(consumer, flight.Batch, result);
        }
        finally
        {
            StatusTelemetry.StopProcessing(flight.Spans, committed: Batches != batches);
        }
    }

    private void HandleFailure(IConsumer<byte[]?, byte[]?> consumer, Exception e)
    {
        if (e is OffsetConflictException)
        {
            Interlocked.Increment(ref _conflicts);
            LogConflict(_logger, e.Message);
            Resync(consumer);
        }
        else if (StoreFailures.IsRecordSpecific(e) && _rejectedByStore is null)
        {
            if (_pending.Count == 1)
            {
                RejectSingle(consumer, e);
            }
            else
            {
                Isolate(consumer, e);
            }
        }
        else
        {
            _telemetry?.StoreError("apply");
            Retry(consumer, "writing to the store", e);
        }
    }

    /// <summary>After a commit: watchers, snapshots, the next expected offsets and Kafka's informational offsets.</summary>
    private void Committed(IConsumer<byte[]?, byte[]?> consumer, ProjectionBatch batch, BatchResult result)
    {
        var batchNumber = Interlocked.Increment(ref _batches);
        if (_faults?.CrashAfterCommit?.Invoke(batchNumber) == true)
        {
            throw new SimulatedCrashException();
        }

        // Watchers first: serializing and handing the batch's snapshots to the producer takes a while.
        var published = ChangeFeed.Now();
        foreach (var change in result.Changes)
        {
            change.PublishedAtTicks = published;
        }

        _feed.Publish(result.Changes);
        _snapshots?.Publish(result.Changes);
        foreach (var p in batch.Offsets)
        {
            _expected[p.Partition] = p.Next;
            try
            {
                consumer.StoreOffset(new TopicPartitionOffset(p.Topic, p.Partition, p.Next));
            }
            catch (KafkaException)
            {
                // Revoked meanwhile: Kafka's offsets are informational only.
            }
        }

        Interlocked.Add(ref _applied, result.Applied);
        Interlocked.Add(ref _duplicates, result.Duplicates);
        Interlocked.Add(ref _deadLetters, result.DeadLetters);
        _telemetry?.Projected(result.Applied, result.Duplicates, result.DeadLetters);
        _backoff = TimeSpan.FromMilliseconds(200);
        LastError = null;
    }

    /// <summary>Records taken from the consumer, decoded: their events, dead letters and next offsets, or the registry's error.</summary>
    private sealed record Decoded(
        List<ConsumeResult<byte[]?, byte[]?>> Records, List<ProjectedEvent> Events, List<DeadLetter> Dead, Dictionary<int, long> Next, long NowMs, Exception? Failure);

    /// <summary>A batch whose store transaction runs while the loop reads and decodes the next one.</summary>
    private sealed record InFlight(List<ConsumeResult<byte[]?, byte[]?>> Records, ProjectionBatch Batch, List<Activity>? Spans, Task<BatchResult> Applying);

    /// <summary>
    /// The store refused the batch because of what a record holds (it would refuse it at any time): applies the records
    /// one by one, dead-letters those the store refuses with its reason, and keeps the partitions flowing. Stops at the
    /// first failure of another kind, rewinding to what is committed (the loop reads the rest again).
    /// </summary>
    private void Isolate(IConsumer<byte[]?, byte[]?> consumer, Exception batchError)
    {
        var records = _pending.ToList();
        LogIsolating(_logger, records.Count, batchError.Message);
        try
        {
            foreach (var record in records)
            {
                _pending.Clear();
                _pending.Add(record);
                ApplyPending(consumer);
                if (_expected.GetValueOrDefault(record.Partition.Value) != record.Offset.Value + 1)
                {
                    // Not applied (the database went away meanwhile, or another replica took the partition).
                    foreach (var partition in records.Select(r => r.TopicPartition).Distinct())
                    {
                        Seek(consumer, partition, _expected.GetValueOrDefault(partition.Partition.Value));
                    }

                    return;
                }
            }
        }
        finally
        {
            _pending.Clear();
        }
    }

    /// <summary>One record the store refused: the same transaction again, with the record as a dead letter.</summary>
    private void RejectSingle(IConsumer<byte[]?, byte[]?> consumer, Exception e)
    {
        _rejectedByStore = $"refused by the status store: {e.GetType().Name}: {e.Message}";
        try
        {
            ApplyPending(consumer);
        }
        finally
        {
            _rejectedByStore = null;
        }
    }

    /// <summary>Another consumer moved an offset: believe the database and start over from there.</summary>
    private void Resync(IConsumer<byte[]?, byte[]?> consumer)
    {
        var stored = WithRetry(() => _store.ReadOffsetsAsync(_settings.GroupId, _settings.Topic, _stopping).GetAwaiter().GetResult(), "reading offsets");
        foreach (var tp in consumer.Assignment)
        {
            var next = stored.TryGetValue(tp.Partition.Value, out var o) ? o : (long?)null;
            _expected[tp.Partition.Value] = next;
            Seek(consumer, tp, next);
        }
    }

    /// <summary>Rewinds to the last committed offsets, waits, and lets the loop read the same records again.</summary>
    private void Retry(IConsumer<byte[]?, byte[]?> consumer, string what, Exception e)
    {
        LastError = $"{what}: {e.GetType().Name}: {e.Message}";
        LogRetry(_logger, what, _backoff.TotalMilliseconds, e);
        foreach (var partition in _pending.Select(r => r.TopicPartition).Distinct())
        {
            if (_expected.TryGetValue(partition.Partition.Value, out var next))
            {
                Seek(consumer, partition, next);
            }
        }

        _stopping.WaitHandle.WaitOne(_backoff);
        _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, MaxBackoff.Ticks));
    }

    private void Seek(IConsumer<byte[]?, byte[]?> consumer, TopicPartition partition, long? next)
    {
        try
        {
            consumer.Seek(new TopicPartitionOffset(partition, next is { } n ? new Offset(n) : Offset.Beginning));
        }
        catch (KafkaException e)
        {
            // Not assigned any more (rebalanced): the next owner starts from the database anyway.
            LogKafkaError(_logger, e.Error.Code, e.Error.Reason, false);
        }
    }

    private T WithRetry<T>(Func<T> action, string what)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                return action();
            }
            catch (Exception e) when (!_stopping.IsCancellationRequested)
            {
                _telemetry?.StoreError("read_offsets");
                LastError = $"{what}: {e.GetType().Name}: {e.Message}";
                LogRetry(_logger, what, backoff.TotalMilliseconds, e);
                _stopping.WaitHandle.WaitOne(backoff);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    // As text a database keeps: a NUL (which PostgreSQL refuses in text) shown as U+FFFD.
    private static string? KeyText(byte[]? key) => key is null ? null : Encoding.UTF8.GetString(key).Replace('\0', '\uFFFD');

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Projecting {Topic} as consumer group {GroupId}")]
    private static partial void LogStarted(ILogger logger, string topic, string groupId);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Assigned partitions (resuming from the store's offsets): {Partitions}")]
    private static partial void LogAssigned(ILogger logger, string partitions);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Dead-lettered {Topic}[{Partition}]@{Offset}: {Reason}")]
    private static partial void LogDeadLetter(ILogger logger, string topic, int partition, long offset, string reason);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "Batch rolled back, re-seeking from the store: {Reason}")]
    private static partial void LogConflict(ILogger logger, string reason);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "Retrying after an error while {What} (in {BackoffMs} ms)")]
    private static partial void LogRetry(ILogger logger, string what, double backoffMs, Exception exception);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "Kafka error {Code}: {Reason} (fatal: {Fatal})")]
    private static partial void LogKafkaError(ILogger logger, ErrorCode code, string reason, bool fatal);

    [LoggerMessage(EventId = 207, Level = LogLevel.Warning, Message = "The store refused a batch of {Count} records for what one holds ({Reason}): applying them one by one")]
    private static partial void LogIsolating(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 206, Level = LogLevel.Warning, Message = "Simulated crash after a store commit")]
    private static partial void LogSimulatedCrash(ILogger logger);
}
