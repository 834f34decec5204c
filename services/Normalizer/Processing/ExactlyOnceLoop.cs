using System.Diagnostics;
using Polly;
using Polly.Retry;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Streaming.Kafka;

namespace Streaming.Normalizer.Processing;

/// <summary>How an <see cref="ExactlyOnceLoop"/> connects and batches.</summary>
public sealed record LoopSettings(
    ClientConfig Client,
    string InputTopic,
    string GroupId,
    string TransactionalId,
    int BatchSize,
    TimeSpan BatchTimeout,
    TimeSpan TransactionTimeout,
    TimeSpan SessionTimeout,
    bool MirrorOffsetCommits = false,
    TimeSpan? FetchWait = null,
    GroupProtocol GroupProtocol = GroupProtocol.Classic,
    TimeSpan? CommitTimeout = null,
    int CommitAttempts = 5);

/// <summary>
/// Consume → transform → produce with exactly-once semantics: one transactional producer, a read_committed
/// consumer without auto-commit, and each batch's consumed offsets sent in the transaction that holds its
/// output. On an abortable error the transaction is aborted and the consumer rewound to the batch's start;
/// fatal errors (fenced, fatal idempotence errors) end <see cref="Run"/> with the exception.
/// </summary>
public sealed partial class ExactlyOnceLoop
{
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FirstAbortPause = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxAbortPause = TimeSpan.FromSeconds(2);

    private readonly LoopSettings _settings;
    private readonly IRecordTransform _transform;
    private readonly ILogger _logger;
    private readonly NormalizerFaultInjection? _faults;
    private readonly ResiliencePipeline _commit;
    private readonly Action? _onStuck;
    private int _stuck;
    private readonly NormalizerTelemetry? _telemetry;
    private readonly ConsumerLagMonitor? _lag;
    private readonly List<OutputRecord> _outputs = [];
    private readonly Dictionary<TopicPartition, long> _nextOffsets = [];
    private readonly Dictionary<TopicPartition, long> _batchStart = [];
    private readonly HashSet<TopicPartition> _needsPrepare = [];
    private readonly Dictionary<TopicPartition, long> _rewindAfterRevoke = [];

    private IProducer<byte[]?, byte[]?>? _producer;
    private IConsumer<byte[]?, byte[]?>? _consumer;
    private bool _inTransaction;
    private int _batchCount;
    private volatile string? _deliveryError;
    private long _committedRecords;
    private long _transactions;
    private long _aborts;
    private CancellationToken _stopping;
    private bool _running;
    private int _assignedCount;
    private TimeSpan _abortPause = FirstAbortPause;
    private long _callStarted;
    private string _call = "";
    private long _transactionStarted;

    /// <param name="onStuck">
    /// What to do when a blocking Kafka call does not return (see <see cref="CheckStuckCall"/>): the service stops its
    /// application (the process exits once the host's shutdown timeout passes, the stuck thread being a background one);
    /// without it, the process ends at once.
    /// </param>
    public ExactlyOnceLoop(
        LoopSettings settings,
        IRecordTransform transform,
        ILogger logger,
        NormalizerFaultInjection? faults = null,
        NormalizerTelemetry? telemetry = null,
        ConsumerLagMonitor? lag = null,
        Action? onStuck = null)
    {
        _onStuck = onStuck;
        _settings = settings;
        _transform = transform;
        _logger = logger;
        _faults = faults;
        _telemetry = telemetry;
        _lag = lag;
        // A commit that fails with a retriable error (timed out, coordinator moved) may be retried as is; a bounded
        // number of times, backing off, then the loop stops with the reason.
        _commit = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<KafkaRetriableException>(),
                MaxRetryAttempts = Math.Max(0, settings.CommitAttempts - 1),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(100),
                MaxDelay = TimeSpan.FromSeconds(5),
                OnRetry = args =>
                {
                    var error = (args.Outcome.Exception as KafkaException)?.Error;
                    LogRetryingCommit(_logger, args.AttemptNumber + 1, error?.Code ?? ErrorCode.Unknown, error?.Reason ?? "");
                    return default;
                },
            })
            .Build();
    }

    /// <summary>Raw records whose transaction committed.</summary>
    public long CommittedRecords => Interlocked.Read(ref _committedRecords);

    public long Transactions => Interlocked.Read(ref _transactions);

    public long Aborts => Interlocked.Read(ref _aborts);

    /// <summary>How many partitions of the input topic this replica owns now.</summary>
    public int AssignedPartitions => Volatile.Read(ref _assignedCount);

    /// <summary>Set once the producer's transactions are initialized and the consumer subscribed.</summary>
    public bool Running
    {
        get => Volatile.Read(ref _running);
        private set => Volatile.Write(ref _running, value);
    }

    /// <summary>Runs until <paramref name="stopping"/> is cancelled (then finishes the open batch and leaves the group).</summary>
    /// <exception cref="KafkaException">A fatal error: the producer was fenced or cannot go on.</exception>
    public void Run(CancellationToken stopping)
    {
        _stopping = stopping;
        _producer = BuildProducer();
        _consumer = BuildConsumer();
        _lag?.Attach(_consumer);
        var crashed = false;
        using var watchdog = new Timer(_ => CheckStuckCall(), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        try
        {
            Blocking("InitTransactions", () => _producer.InitTransactions(OperationTimeout));
            _consumer.Subscribe(_settings.InputTopic);
            Running = true;
            LogStarted(_logger, _settings.InputTopic, _settings.GroupId, _settings.TransactionalId);
            while (!stopping.IsCancellationRequested)
            {
                RunBatch();
            }

            _consumer.Close();
        }
        catch (SimulatedCrashException e)
        {
            crashed = true;
            LogSimulatedCrash(_logger, e.Point);
        }
        finally
        {
            Running = false;
            _lag?.Detach();
            // A crash leaves the transaction open and the group membership to time out, as a killed process would.
            _consumer.Dispose();
            if (!crashed)
            {
                _producer.Flush(TimeSpan.FromSeconds(5));
            }

            _producer.Dispose();
        }
    }

    private void RunBatch()
    {
        var deadline = DateTime.UtcNow + _settings.BatchTimeout;
        try
        {
            while (_batchCount < _settings.BatchSize && !_stopping.IsCancellationRequested)
            {
                var remaining = deadline - DateTime.UtcNow;
                if (remaining <= TimeSpan.Zero)
                {
                    break;
                }

                var result = _consumer!.Consume(remaining);
                if (RewindKeptPartitions(result) || result is null || result.IsPartitionEOF)
                {
                    continue;
                }

                Process(result);
            }

            if (_inTransaction)
            {
                CommitBatch();
            }
        }
        catch (ConsumeException e) when (!e.Error.IsFatal)
        {
            // E.g. the topic does not exist yet: the batch so far stays valid, the next poll retries.
            LogKafkaError(_logger, "consumer", e.Error.Code, e.Error.Reason, false);
        }
        catch (KafkaException e) when (!e.Error.IsFatal)
        {
            LogAborting(_logger, e.Error.Code, e.Error.Reason);
            AbortAndRewind();
            // A failure that repeats (the broker down) is retried after a growing pause, not hundreds of times a second.
            _stopping.WaitHandle.WaitOne(_abortPause);
            _abortPause = TimeSpan.FromTicks(Math.Min(_abortPause.Ticks * 2, MaxAbortPause.Ticks));
        }
    }

    private void Process(ConsumeResult<byte[]?, byte[]?> result)
    {
        var partition = result.TopicPartition;
        var prepare = _needsPrepare.Remove(partition);
        if (prepare && _inTransaction)
        {
            // Preparing may read what this producer wrote; end the open transaction first so its records are
            // settled (an open transaction holds read_committed readers back).
            try
            {
                CommitBatch();
            }
            catch (KafkaException e) when (!e.Error.IsFatal)
            {
                // The record in hand is already consumed but not part of the failed batch: the abort must
                // rewind its partition too, or it would be skipped (lost).
                _batchStart.TryAdd(partition, result.Offset.Value);
                throw;
            }
        }

        // From here on any failure (rebuilding the dedupe state while the broker is down, BeginTransaction, mapping,
        // Produce) rewinds this partition to this record at the latest: it is consumed already and must be read again.
        _batchStart.TryAdd(partition, result.Offset.Value);
        if (prepare)
        {
            _transform.Prepare(partition, _stopping);
        }

        if (!_inTransaction)
        {
            _producer!.BeginTransaction();
            _inTransaction = true;
            _transactionStarted = Stopwatch.GetTimestamp();
        }

        // The record's span continues the trace its headers carry (the ingress's publish span).
        using (NormalizerTelemetry.StartProcess(result, _settings.GroupId))
        {
            _outputs.Clear();
            _transform.Transform(result, _outputs);
            foreach (var output in _outputs)
            {
                Produce(output);
            }
        }

        _nextOffsets[partition] = result.Offset.Value + 1;
        _batchCount++;
    }

    private void Produce(OutputRecord output)
    {
        using var activity = NormalizerTelemetry.StartPublish(output.Topic, output.Message);
        while (true)
        {
            try
            {
                _producer!.Produce(output.Topic, output.Message, OnDelivered);
                return;
            }
            catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                _producer!.Poll(TimeSpan.FromMilliseconds(50));
            }
        }
    }

    private void OnDelivered(DeliveryReport<byte[]?, byte[]?> report)
    {
        if (report.Error.IsError)
        {
            // The commit fails too (librdkafka makes the transaction abortable); keep the first cause for the log.
            _deliveryError ??= $"{report.Error.Code}: {report.Error.Reason}";
        }
    }

    private void CommitBatch()
    {
        var producer = _producer!;
        if (_faults?.CrashAt is not null)
        {
            // Fault injection only: make sure the batch's records are in the broker's log before a crash point,
            // so a test kills the transaction after its writes (CommitTransaction flushes anyway).
            producer.Flush(OperationTimeout);
        }

        _faults?.Check(FaultPoint.AfterProduce);
        var offsets = _nextOffsets.Select(p => new TopicPartitionOffset(p.Key, p.Value)).ToList();
        Blocking("SendOffsetsToTransaction", () => producer.SendOffsetsToTransaction(offsets, _consumer!.ConsumerGroupMetadata, OperationTimeout));
        _faults?.Check(FaultPoint.AfterSendOffsets);
        try
        {
            var timeout = _settings.CommitTimeout ?? OperationTimeout;
            _commit.Execute(_ => Blocking("CommitTransaction", () => producer.CommitTransaction(timeout)), CancellationToken.None);
        }
        catch (KafkaRetriableException e)
        {
            // Committed or not, only the broker knows (it aborts the transaction when its timeout passes). Aborting here is
            // not allowed while the commit may be in flight: stop, and let a restart fence this producer and resume.
            throw new TransactionCommitException(
                $"The transaction's commit failed {_settings.CommitAttempts} times with retriable errors (last: {e.Error.Code} {e.Error.Reason}); " +
                "stopping: a restart fences this producer and resumes from the last committed offsets", e);
        }

        _transform.Committed();
        if (_settings.MirrorOffsetCommits)
        {
            MirrorCommit(offsets);
        }

        Interlocked.Add(ref _committedRecords, _batchCount);
        Interlocked.Increment(ref _transactions);
        _abortPause = FirstAbortPause;
        _telemetry?.TransactionCommitted(Stopwatch.GetElapsedTime(_transactionStarted));
        ResetBatch();
    }

    /// <summary>
    /// librdkafka's mock cluster (still in 2.16) acknowledges TxnOffsetCommit but never stores the offsets, so a restarted
    /// consumer would start from scratch. On the embedded broker the offsets the transaction committed are also
    /// committed plainly, after it. A crash in between re-reads the batch; its events are then dropped as
    /// already written (the dedupe reads the output back). Off on real clusters, where the transaction's offsets count.
    /// </summary>
    private void MirrorCommit(List<TopicPartitionOffset> offsets)
    {
        try
        {
            Blocking("Commit", () => _consumer!.Commit(offsets));
        }
        catch (KafkaException e) when (!e.Error.IsFatal)
        {
            LogKafkaError(_logger, "consumer", e.Error.Code, e.Error.Reason, false);
        }
    }

    private void AbortAndRewind()
    {
        if (_inTransaction)
        {
            Blocking("AbortTransaction", () => _producer!.AbortTransaction(OperationTimeout));
        }

        Interlocked.Increment(ref _aborts);
        _telemetry?.TransactionAborted();
        if (_deliveryError is { } delivery)
        {
            LogDeliveryFailed(_logger, delivery);
        }

        var assigned = _consumer!.Assignment.ToHashSet();
        foreach (var (partition, offset) in _batchStart)
        {
            if (assigned.Contains(partition))
            {
                _consumer.Seek(new TopicPartitionOffset(partition, offset));
            }
        }

        // What the aborted batch wrote is invisible to read_committed readers (on a real broker): the
        // transform re-derives its state from what is visible before it continues.
        _transform.Aborted();
        _needsPrepare.UnionWith(assigned);
        ResetBatch();
    }

    private void ResetBatch()
    {
        _inTransaction = false;
        _batchCount = 0;
        _deliveryError = null;
        _nextOffsets.Clear();
        _batchStart.Clear();
    }

    private void OnAssigned(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            var list = string.Join(",", partitions.Select(p => p.Partition.Value));
            LogAssigned(_logger, list);
        }

        _needsPrepare.UnionWith(partitions);
        Volatile.Write(ref _assignedCount, consumer.Assignment.Count + partitions.Count(p => !consumer.Assignment.Contains(p)));
    }

    private void OnRevoked(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            var list = string.Join(",", partitions.Select(p => p.Partition.Value));
            LogRevoked(_logger, list, _batchCount);
        }

        var revoked = partitions.Select(p => p.TopicPartition).ToList();
        if (_inTransaction)
        {
            // The partitions' next owner starts from the last committed offsets: the open batch must not commit
            // offsets it no longer owns. Abort it; what it read is read again by whoever owns it next. An
            // incremental revocation (consumer protocol, cooperative assignors) keeps the other partitions: the
            // aborted batch's records of those are read again here, from the batch's start.
            Blocking("AbortTransaction", () => _producer!.AbortTransaction(OperationTimeout));
            Interlocked.Increment(ref _aborts);
            _telemetry?.TransactionAborted();
            _transform.Aborted();
            _needsPrepare.UnionWith(consumer.Assignment);
            foreach (var (partition, offset) in _batchStart)
            {
                if (!revoked.Contains(partition))
                {
                    _rewindAfterRevoke[partition] = offset;
                }
            }

            ResetBatch();
        }

        foreach (var partition in revoked)
        {
            _rewindAfterRevoke.Remove(partition);
        }

        _needsPrepare.ExceptWith(revoked);
        _transform.Revoked(revoked);
        Volatile.Write(ref _assignedCount, consumer.Assignment.Count(p => !revoked.Contains(p)));
    }

    /// <summary>
    /// Applies the rewinds a revocation asked for (outside the rebalance callback); true when <paramref name="result"/>
    /// belongs to a rewound partition and must be dropped (it is fetched again).
    /// </summary>
    private bool RewindKeptPartitions(ConsumeResult<byte[]?, byte[]?>? result)
    {
        if (_rewindAfterRevoke.Count == 0)
        {
            return false;
        }

        var assigned = _consumer!.Assignment.ToHashSet();
        var dropResult = false;
        foreach (var (partition, offset) in _rewindAfterRevoke)
        {
            if (assigned.Contains(partition))
            {
                _consumer.Seek(new TopicPartitionOffset(partition, offset));
                dropResult |= result is not null && result.TopicPartition == partition;
            }
        }

        _rewindAfterRevoke.Clear();
        return dropResult;
    }

    /// <summary>Runs a blocking Kafka call the watchdog keeps an eye on.</summary>
    private void Blocking(string call, Action action)
    {
        _call = call;
        Volatile.Write(ref _callStarted, Environment.TickCount64);
        try
        {
            action();
        }
        finally
        {
            Volatile.Write(ref _callStarted, 0);
        }
    }

    /// <summary>
    /// librdkafka 2.16 can stay inside a transactional call long past the timeout it was given (the chaos run, docs/reliability.md,
    /// caught SendOffsetsToTransaction blocked for minutes after the broker went down and came back), and the loop's thread
    /// cannot be taken back from native code. A loop that cannot move is a dead replica that still looks alive: stop loudly
    /// (health goes not-ready, the application stops, the orchestrator restarts it); the open transaction is never
    /// committed and the restarted replica redoes the batch (exactly once survives kill -9). Not while stopping anyway.
    /// </summary>
    private void CheckStuckCall()
    {
        var started = Volatile.Read(ref _callStarted);
        var limit = (long)StuckCallLimit.TotalMilliseconds;
        if (started == 0 || Environment.TickCount64 - started <= limit || _stopping.IsCancellationRequested || Interlocked.Exchange(ref _stuck, 1) == 1)
        {
            return;
        }

        LogStuck(_logger, _call, StuckCallLimit.TotalSeconds);
        Running = false;
        if (_onStuck is { } onStuck)
        {
            onStuck();
        }
        else
        {
            Environment.FailFast($"the normalizer's Kafka call {_call} did not return within {StuckCallLimit.TotalSeconds:0} s; exiting so the process is restarted");
        }
    }

    /// <summary>The blocking Kafka call in progress and for how long, or null: for diagnostics.</summary>
    public string? CallInProgress
    {
        get
        {
            var started = Volatile.Read(ref _callStarted);
            return started == 0 ? null : $"{_call} for {(Environment.TickCount64 - started) / 1000.0:0.0} s";
        }
    }

    private TimeSpan StuckCallLimit => (_settings.CommitTimeout is { } commit && commit > OperationTimeout ? commit : OperationTimeout) * 2;

    private IProducer<byte[]?, byte[]?> BuildProducer()
    {
        var config = new ProducerConfig(new ClientConfig(_settings.Client.ToDictionary(p => p.Key, p => p.Value)))
        {
            TransactionalId = _settings.TransactionalId,
            TransactionTimeoutMs = (int)_settings.TransactionTimeout.TotalMilliseconds,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            Partitioner = KafkaClientDefaults.KeyPartitioner,
            ReconnectBackoffMaxMs = KafkaClientDefaults.ReconnectBackoffMaxMs,
            ClientId = _settings.TransactionalId,
        };
        // When every known broker is unreachable, librdkafka 2.16 re-bootstraps by default and decommissions the brokers it
        // knew; a transactional call waiting on the group coordinator keeps a reference to the decommissioned broker and is
        // not woken when the broker comes back (SendOffsetsToTransaction then blocks far past its timeout: librdkafka
        // issues 5456 and 5511). This producer talks to the cluster continuously, so re-bootstrapping buys nothing here;
        // an operator can still set metadata.recovery.strategy explicitly.
        config.MetadataRecoveryStrategy ??= MetadataRecoveryStrategy.None;
        return new ProducerBuilder<byte[]?, byte[]?>(config)
            .SetErrorHandler((_, error) => LogKafkaError(_logger, "producer", error.Code, error.Reason, error.IsFatal))
            .Build();
    }

    private IConsumer<byte[]?, byte[]?> BuildConsumer()
    {
        var session = (int)_settings.SessionTimeout.TotalMilliseconds;
        var classic = _settings.GroupProtocol == GroupProtocol.Classic;
        var config = new ConsumerConfig(new ClientConfig(_settings.Client.ToDictionary(p => p.Key, p => p.Value)))
        {
            GroupId = _settings.GroupId,
            GroupProtocol = _settings.GroupProtocol,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            IsolationLevel = IsolationLevel.ReadCommitted,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            // The consumer protocol takes both from the broker; setting them makes Build() throw.
            SessionTimeoutMs = classic ? session : null,
            HeartbeatIntervalMs = classic ? Math.Max(100, Math.Min(3000, session / 3)) : null,
            FetchWaitMaxMs = _settings.FetchWait is { } wait ? (int)wait.TotalMilliseconds : null,
            ReconnectBackoffMaxMs = KafkaClientDefaults.ReconnectBackoffMaxMs,
            ClientId = _settings.TransactionalId,
        };
        return new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetPartitionsAssignedHandler(OnAssigned)
            .SetPartitionsRevokedHandler(OnRevoked)
            .SetPartitionsLostHandler((c, lost) => OnRevoked(c, lost))
            .SetErrorHandler((_, error) => LogKafkaError(_logger, "consumer", error.Code, error.Reason, error.IsFatal))
            .Build();
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Normalizing {InputTopic} as group {GroupId}, transactional id {TransactionalId}")]
    private static partial void LogStarted(ILogger logger, string inputTopic, string groupId, string transactionalId);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Aborting the transaction and rewinding: {Code} {Reason}")]
    private static partial void LogAborting(ILogger logger, ErrorCode code, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Commit attempt {Attempt} failed with a retriable error, retrying: {Code} {Reason}")]
    private static partial void LogRetryingCommit(ILogger logger, int attempt, ErrorCode code, string reason);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "A record of the aborted transaction was not delivered: {Error}")]
    private static partial void LogDeliveryFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Partitions assigned: {Partitions}")]
    private static partial void LogAssigned(ILogger logger, string partitions);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Partitions revoked: {Partitions} (open batch: {BatchRecords} record(s))")]
    private static partial void LogRevoked(ILogger logger, string partitions, int batchRecords);

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "Kafka {Client} error {Code}: {Reason} (fatal: {Fatal})")]
    private static partial void LogKafkaError(ILogger logger, string client, ErrorCode code, string reason, bool fatal);

    [LoggerMessage(EventId = 108, Level = LogLevel.Critical, Message = "Kafka call {Call} has not returned for {Seconds} s: stopping the process so it is restarted")]
    private static partial void LogStuck(ILogger logger, string call, double seconds);

    [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "Injected fault: the loop dies at {Point} without ending its transaction")]
    private static partial void LogSimulatedCrash(ILogger logger, FaultPoint point);
}

/// <summary>A transaction's commit did not go through after the configured attempts: the loop stops (a restart resumes).</summary>
public sealed class TransactionCommitException(string message, Exception inner) : Exception(message, inner);
