using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Streaming.Ingress.Webhooks;
using Streaming.Kafka;

namespace Streaming.Ingress.Publishing;

/// <summary>
/// The process's one idempotent, acks=all producer for raw webhooks. A publish completes only
/// when Kafka acknowledged the record, or fails within the delivery timeout.
/// </summary>
public sealed partial class RawEventPublisher : IDisposable
{
    private readonly ILogger<RawEventPublisher> _logger;
    private readonly IngressTelemetry _telemetry;
    private readonly ProducerConfig _config;
    private readonly string _topic;
    private readonly Lock _gate = new();
    private IProducer<string, byte[]> _producer;
    private volatile bool _fatal;

    public RawEventPublisher(KafkaConnection connection, IOptions<IngressOptions> options, IngressTelemetry telemetry, ILogger<RawEventPublisher> logger)
    {
        _logger = logger;
        _telemetry = telemetry;
        _topic = options.Value.Topic;
        var delivery = (int)options.Value.DeliveryTimeout.TotalMilliseconds;
        _config = new ProducerConfig(connection.ClientConfig())
        {
            Acks = Acks.All,
            EnableIdempotence = true,
            MessageTimeoutMs = delivery,
            // A request that cannot finish in time is pointless: the message times out anyway.
            RequestTimeoutMs = Math.Max(1000, delivery),
            LingerMs = options.Value.Linger.TotalMilliseconds,
            Partitioner = KafkaClientDefaults.KeyPartitioner,
            ReconnectBackoffMaxMs = KafkaClientDefaults.ReconnectBackoffMaxMs,
            ClientId = "streaming-ingress",
            // Every request waits for its own ack: send at once (no Nagle delay on the socket).
            SocketNagleDisable = true,
            // The ack's partition and offset are all we read back: don't copy key, value and
            // headers of every record back into managed memory.
            DeliveryReportFields = "status",
            // The body limit is ours to enforce (413); the producer must never be the tighter one.
            MessageMaxBytes = KafkaTopics.MaxMessageBytes,
        };
        _producer = Build();
    }

    /// <summary>Publishes and waits for the acknowledgement.</summary>
    /// <exception cref="KafkaException">Kafka did not take the record (timeout, broker down, refused).</exception>
    public Task<DeliveryResult<string, byte[]>> PublishAsync(RawWebhook webhook)
    {
        var headers = new Headers();
        RawEventHeaders.Add(headers, RawEventHeaders.Provider, webhook.Provider);
        RawEventHeaders.Add(headers, RawEventHeaders.EventId, webhook.EventId);
        RawEventHeaders.Add(headers, RawEventHeaders.EventIdSource, webhook.EventIdSource);
        if (webhook.EventType is not null)
        {
            RawEventHeaders.Add(headers, RawEventHeaders.EventType, webhook.EventType);
        }

        if (webhook.OccurredAt is not null)
        {
            RawEventHeaders.Add(headers, RawEventHeaders.OccurredAt, webhook.OccurredAt);
        }

        RawEventHeaders.Add(headers, RawEventHeaders.ReceivedAt, webhook.ReceivedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
        RawEventHeaders.Add(headers, RawEventHeaders.TestMode, webhook.TestMode ? "true" : "false");
        if (webhook.ContentType is not null)
        {
            RawEventHeaders.Add(headers, RawEventHeaders.ContentType, webhook.ContentType);
        }

        RawEventHeaders.Add(headers, RawEventHeaders.KeySource, webhook.KeySource);

        // With tracing on, the record carries the producer span's context (the normalizer's spans continue it);
        // without, the context the request came with. The span is the caller's current one only until the record is handed over.
        var current = Activity.Current;
        var activity = IngressTelemetry.StartPublish(_topic, webhook.Key, webhook.Provider, webhook.EventId);
        Task<DeliveryResult<string, byte[]>> produce;
        var started = Stopwatch.GetTimestamp();
        try
        {
            RawEventHeaders.Add(headers, RawEventHeaders.TraceParent, activity?.Id ?? webhook.TraceParent);
            if ((activity is null ? webhook.TraceState : activity.TraceStateString) is { Length: > 0 } traceState)
            {
                RawEventHeaders.Add(headers, RawEventHeaders.TraceState, traceState);
            }

            // No cancellation: once handed to librdkafka the record may be written; a caller that
            // went away will retry, and the duplicate is absorbed downstream by its event id.
            // Produce with a callback, not ProduceAsync: ProduceAsync keeps the message (and so the body) until the
            // acknowledgement, while librdkafka already holds its own copy of the record.
            var acknowledged = new TaskCompletionSource<DeliveryResult<string, byte[]>>(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                Producer().Produce(_topic, new Message<string, byte[]> { Key = webhook.Key, Value = webhook.Body, Headers = headers }, report =>
                {
                    if (report.Error.IsError)
                    {
                        acknowledged.TrySetException(new ProduceException<string, byte[]>(report.Error, report));
                    }
                    else
                    {
                        acknowledged.TrySetResult(report);
                    }
                });
            }
            catch (KafkaException e)
            {
                // Refused before it was queued (record too large for the producer, queue full): the same path as a failed delivery.
                acknowledged.TrySetException(e);
            }

            produce = acknowledged.Task;
        }
        catch
        {
            activity?.Dispose();
            throw;
        }
        finally
        {
            Activity.Current = current;
        }

        // librdkafka holds its own copy of the record now: what waits for the acknowledgement refers to neither the
        // webhook nor its body, so an in-flight request holds one copy of its body, not two.
        return AcknowledgedAsync(produce, webhook.Provider, started, activity);
    }

    private async Task<DeliveryResult<string, byte[]>> AcknowledgedAsync(Task<DeliveryResult<string, byte[]>> produce, string provider, long started, Activity? activity)
    {
        using (activity)
        {
            try
            {
                var delivery = await produce;
                _telemetry.Published(provider, Stopwatch.GetElapsedTime(started), stored: true);
                if (activity is { IsAllDataRequested: true })
                {
                    activity.SetTag(MessagingTags.PartitionId, delivery.Partition.Value.ToString(CultureInfo.InvariantCulture));
                    activity.SetTag(MessagingTags.Offset, delivery.Offset.Value);
                }

                return delivery;
            }
            catch (KafkaException e)
            {
                _telemetry.Published(provider, Stopwatch.GetElapsedTime(started), stored: false);
                activity?.SetStatus(ActivityStatusCode.Error, e.Error.Code.ToString());
                throw;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            var remaining = _producer.Flush(TimeSpan.FromSeconds(10));
            if (remaining > 0)
            {
                LogUnflushed(_logger, remaining);
            }

            _producer.Dispose();
        }
    }

    private IProducer<string, byte[]> Producer()
    {
        if (!_fatal)
        {
            return _producer;
        }

        lock (_gate)
        {
            // An idempotent producer that hit a fatal error (e.g. fenced or out of sequence) refuses
            // all further work: replace it. Records it still held have failed their callers (503).
            if (_fatal)
            {
                var old = _producer;
                _producer = Build();
                _fatal = false;
                old.Dispose();
                LogProducerReplaced(_logger);
            }

            return _producer;
        }
    }

    private IProducer<string, byte[]> Build() =>
        new ProducerBuilder<string, byte[]>(_config)
            .SetErrorHandler((_, error) =>
            {
                if (error.IsFatal)
                {
                    _fatal = true;
                    LogFatal(_logger, error.Code, error.Reason);
                }
                else
                {
                    LogKafkaError(_logger, error.Code, error.Reason);
                }
            })
            .SetLogHandler((_, log) => LogLibrdkafka(_logger, log.Facility, log.Message))
            .Build();

    [LoggerMessage(EventId = 20, Level = LogLevel.Error, Message = "Kafka producer fatal error {Code}: {Reason}; the producer will be replaced")]
    private static partial void LogFatal(ILogger logger, ErrorCode code, string reason);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "Kafka producer error {Code}: {Reason}")]
    private static partial void LogKafkaError(ILogger logger, ErrorCode code, string reason);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "Kafka producer replaced after a fatal error")]
    private static partial void LogProducerReplaced(ILogger logger);

    [LoggerMessage(EventId = 23, Level = LogLevel.Error, Message = "{Count} record(s) were still unacknowledged at shutdown")]
    private static partial void LogUnflushed(ILogger logger, int count);

    [LoggerMessage(EventId = 24, Level = LogLevel.Debug, Message = "librdkafka {Facility}: {Message}")]
    private static partial void LogLibrdkafka(ILogger logger, string facility, string message);
}
