using System.Diagnostics.Metrics;
using System.Globalization;
using Confluent.Kafka;

namespace Streaming.Kafka;

/// <summary>
/// Consumer lag of one group member, per partition it owns: the partition's high watermark minus the member's
/// position (the next offset it will hand to the application; the committed offset until it has one), reported as the
/// observable gauge <see cref="InstrumentName"/>. It is recomputed on a timer, off the consuming thread, so a stalled
/// consumer shows its lag growing; the timer starts once something collects the gauge (a listener enabled it, or it
/// was read), so nothing runs when no one collects metrics. Watermarks and committed offsets come from a client of its own that never joins the group.
/// </summary>
public sealed class ConsumerLagMonitor : IDisposable
{
    public const string MeterName = "Streaming.Kafka";
    public const string InstrumentName = "streaming.kafka.consumer.lag";

    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(2);

    private readonly ClientConfig _client;
    private readonly string _groupId;
    private readonly TimeSpan _interval;
    private readonly Lock _gate = new();
    private Func<List<TopicPartition>>? _assignment;
    private Func<TopicPartition, Offset>? _position;
    private IConsumer<byte[], byte[]>? _queries;
    private Timer? _timer;
    private int _refreshing;
    private bool _disposed;
    private volatile Measurement<long>[] _latest = [];
    private readonly ObservableGauge<long> _gauge;

    public ConsumerLagMonitor(IMeterFactory meters, ClientConfig client, string groupId, TimeSpan interval)
    {
        _client = client;
        _groupId = groupId;
        _interval = interval > TimeSpan.Zero ? interval : TimeSpan.FromSeconds(5);
        _gauge = meters.Create(MeterName).CreateObservableGauge(
            InstrumentName,
            Observe,
            "{record}",
            "Records in each owned partition not yet processed by the consumer group (high watermark minus position)");
    }

    /// <summary>Follows <paramref name="consumer"/>'s assignment and positions until <see cref="Detach"/>.</summary>
    public void Attach<TKey, TValue>(IConsumer<TKey, TValue> consumer)
    {
        lock (_gate)
        {
            _assignment = () => consumer.Assignment;
            _position = consumer.Position;
        }

        // Collected already (a MeterProvider listens): have figures ready for the first scrape.
        if (_gauge.Enabled)
        {
            StartTimer();
        }
    }

    /// <summary>Call before disposing the attached consumer: its partitions are no longer reported.</summary>
    public void Detach()
    {
        lock (_gate)
        {
            _assignment = null;
            _position = null;
            _latest = [];
        }
    }

    /// <summary>Recomputes the lag now (the timer calls this; tests may too).</summary>
    public void Refresh()
    {
        if (Interlocked.Exchange(ref _refreshing, 1) == 1)
        {
            return;
        }

        try
        {
            var owned = new List<(TopicPartition Partition, Offset Position)>();
            lock (_gate)
            {
                if (_assignment is null || _position is null || _disposed)
                {
                    _latest = [];
                    return;
                }

                foreach (var partition in _assignment())
                {
                    owned.Add((partition, PositionOf(partition)));
                }

                if (owned.Count == 0)
                {
                    // Not assigned yet (or nothing to own): look again soon rather than a whole interval later.
                    _latest = [];
                    _timer?.Change(TimeSpan.FromMilliseconds(200), _interval);
                    return;
                }
            }

            var queries = Queries();
            var unknown = owned.Where(o => o.Position.IsSpecial).Select(o => o.Partition).ToList();
            var committed = unknown.Count == 0
                ? []
                : queries.Committed(unknown, QueryTimeout).Where(c => !c.Offset.IsSpecial).ToDictionary(c => c.TopicPartition, c => c.Offset.Value);
            var measurements = new Measurement<long>[owned.Count];
            for (var i = 0; i < owned.Count; i++)
            {
                var (partition, position) = owned[i];
                var watermarks = queries.QueryWatermarkOffsets(partition, QueryTimeout);
                var next = !position.IsSpecial ? position.Value : committed.TryGetValue(partition, out var c) ? c : watermarks.Low.Value;
                measurements[i] = new Measurement<long>(
                    Math.Max(0, watermarks.High.Value - next),
                    new KeyValuePair<string, object?>(MessagingTags.ConsumerGroup, _groupId),
                    new KeyValuePair<string, object?>(MessagingTags.DestinationName, partition.Topic),
                    new KeyValuePair<string, object?>(MessagingTags.PartitionId, partition.Partition.Value.ToString(CultureInfo.InvariantCulture)));
            }

            lock (_gate)
            {
                // A detach meanwhile wins: its partitions are no longer ours to report.
                if (_assignment is not null)
                {
                    _latest = measurements;
                }
            }
        }
        catch (KafkaException)
        {
            // The cluster did not answer in time: keep the last figures; the next tick tries again.
        }
        catch (ObjectDisposedException)
        {
            // The attached consumer was disposed before Detach (a loop ending on an error or a crash): nothing is owned now.
            // A timer callback must never throw: an unhandled exception here would end the process.
            lock (_gate)
            {
                _assignment = null;
                _position = null;
                _latest = [];
            }
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _assignment = null;
            _position = null;
        }

        _timer?.Dispose();
        // A refresh in flight still uses the query client (its queries time out within seconds): disposing a librdkafka
        // client under a call in progress can hang, and this runs while the host shuts down. Wait for it, bounded, and
        // never let the client's own shutdown hold the process.
        SpinWait.SpinUntil(() => Volatile.Read(ref _refreshing) == 0, TimeSpan.FromSeconds(15));
        if (_queries is { } queries)
        {
            Task.Run(queries.Dispose).Wait(TimeSpan.FromSeconds(5));
        }
    }

    private Offset PositionOf(TopicPartition partition)
    {
        try
        {
            return _position!(partition);
        }
        catch (KafkaException)
        {
            // Revoked between reading the assignment and the position.
            return Offset.Unset;
        }
    }

    private IEnumerable<Measurement<long>> Observe()
    {
        StartTimer();
        return _latest;
    }

    private void StartTimer()
    {
        if (_timer is null)
        {
            lock (_gate)
            {
                if (_timer is null && !_disposed)
                {
                    _timer = new Timer(_ => Refresh(), null, TimeSpan.Zero, _interval);
                }
            }
        }
    }

    private IConsumer<byte[], byte[]> Queries()
    {
        lock (_gate)
        {
            return _queries ??= new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig(new ClientConfig(_client.ToDictionary(p => p.Key, p => p.Value)))
            {
                // Committed offsets are read for this group; this client never subscribes, so it never joins it.
                GroupId = _groupId,
                EnableAutoCommit = false,
                ClientId = _groupId + "-lag",
            }).SetLogHandler((_, _) => { }).Build();
        }
    }
}
