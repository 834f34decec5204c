using System.Diagnostics;
using System.Diagnostics.Metrics;
using Streaming.Kafka;
using Streaming.ServiceDefaults;

namespace Streaming.Ingress;

/// <summary>
/// The ingress's spans and metrics: ActivitySource and Meter "Streaming.Ingress". Every webhook request for a path
/// under /webhooks/ counts once as received and once as accepted, rejected (with its reason) or a handshake.
/// </summary>
public sealed class IngressTelemetry
{
    public const string Name = "Streaming.Ingress";

    /// <summary>The provider label of requests for a provider that is not configured (keeps the label's values bounded).</summary>
    public const string UnknownProvider = "unknown";

    internal static readonly ActivitySource Source = new(Name);

    private readonly Counter<long> _received;
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _handshakes;
    private readonly Histogram<double> _publishDuration;

    public IngressTelemetry(IMeterFactory meters, Providers.ProviderRegistry providers)
    {
        var meter = meters.Create(Name);
        _received = meter.CreateCounter<long>("streaming.ingress.webhooks.received", "{webhook}", "Webhook requests received, by provider");
        _accepted = meter.CreateCounter<long>("streaming.ingress.webhooks.accepted", "{webhook}", "Webhooks stored in Kafka and answered 2xx, by provider");
        _rejected = meter.CreateCounter<long>("streaming.ingress.webhooks.rejected", "{webhook}", "Webhooks answered with an error, by provider and reason (storage_unavailable is the 503)");
        _handshakes = meter.CreateCounter<long>("streaming.ingress.webhooks.handshakes", "{webhook}", "Verification handshakes answered, by provider");
        _publishDuration = meter.CreateHistogram("streaming.ingress.publish.duration", "s", "From handing a webhook to the Kafka producer to its acknowledgement (or failure)", advice: StreamingTelemetry.SecondsBuckets);

        // Every configured provider shows at zero from the first request on (rates and dashboards need the series to exist).
        foreach (var provider in providers.All)
        {
            var byProvider = new KeyValuePair<string, object?>("provider", provider.Name);
            _received.Add(0, byProvider);
            _accepted.Add(0, byProvider);
        }
    }

    public void Received(string provider) => _received.Add(1, new KeyValuePair<string, object?>("provider", provider));

    public void Accepted(string provider) => _accepted.Add(1, new KeyValuePair<string, object?>("provider", provider));

    public void Rejected(string provider, string reason) =>
        _rejected.Add(1, new KeyValuePair<string, object?>("provider", provider), new KeyValuePair<string, object?>("reason", reason));

    public void Handshake(string provider) => _handshakes.Add(1, new KeyValuePair<string, object?>("provider", provider));

    public void Published(string provider, TimeSpan elapsed, bool stored) =>
        _publishDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("provider", provider), new KeyValuePair<string, object?>("outcome", stored ? "stored" : "failed"));

    /// <summary>The producer span of one raw record (null when nobody listens: no allocation on the hot path).</summary>
    internal static Activity? StartPublish(string topic, string key, string provider, string eventId)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity("publish " + topic, ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            MessagingTags.Destination(activity, topic, "publish", "send");
            activity.SetTag(MessagingTags.MessageKey, key);
            activity.SetTag("streaming.provider", provider);
            activity.SetTag("streaming.event_id", eventId);
        }

        return activity;
    }
}
