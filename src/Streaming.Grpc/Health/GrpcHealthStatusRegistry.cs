using System.Threading.Channels;
using Grpc.Health.V1;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Streaming.Grpc;

/// <summary>
/// The serving status grpc.health.v1.Health reports, per service name ("" = the server as a whole).
/// Application code sets it, e.g. NOT_SERVING while a projection catches up or the process drains.
/// </summary>
public sealed class GrpcHealthStatusRegistry
{
    /// <summary>The service name health checkers use for the whole server.</summary>
    public const string Overall = "";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal) { [Overall] = ServingStatus.Serving };
    private readonly Dictionary<string, List<Channel<ServingStatus>>> _watchers = new(StringComparer.Ordinal);

    public void SetStatus(string service, ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (status == ServingStatus.ServiceUnknown)
        {
            throw new ArgumentException("SERVICE_UNKNOWN is reported for unregistered services; use ClearStatus to unregister.", nameof(status));
        }

        lock (_lock)
        {
            _statuses[service] = status;
            Notify(service, status);
        }
    }

    /// <summary>Forgets a service: Check answers NOT_FOUND, watchers see SERVICE_UNKNOWN.</summary>
    public bool ClearStatus(string service)
    {
        lock (_lock)
        {
            if (!_statuses.Remove(service))
            {
                return false;
            }

            Notify(service, ServingStatus.ServiceUnknown);
            return true;
        }
    }

    /// <summary>Sets every known service, and the overall status, to <paramref name="status"/>.</summary>
    public void SetAll(ServingStatus status)
    {
        lock (_lock)
        {
            foreach (var service in _statuses.Keys.ToList())
            {
                _statuses[service] = status;
                Notify(service, status);
            }
        }
    }

    public bool TryGetStatus(string service, out ServingStatus status)
    {
        lock (_lock)
        {
            return _statuses.TryGetValue(service, out status);
        }
    }

    internal void SetStatusIfUnknown(string service, ServingStatus status)
    {
        lock (_lock)
        {
            if (_statuses.TryAdd(service, status))
            {
                Notify(service, status);
            }
        }
    }

    /// <summary>
    /// Subscribes to a service's status: the reader yields the current status (SERVICE_UNKNOWN if
    /// unknown) and then every change. Only the latest status matters, so a slow reader skips
    /// intermediate ones. Dispose the subscription to stop.
    /// </summary>
    internal Subscription Watch(string service)
    {
        var channel = Channel.CreateBounded<ServingStatus>(new BoundedChannelOptions(1)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_lock)
        {
            channel.Writer.TryWrite(_statuses.TryGetValue(service, out var current) ? current : ServingStatus.ServiceUnknown);
            if (!_watchers.TryGetValue(service, out var list))
            {
                _watchers[service] = list = [];
            }

            list.Add(channel);
        }

        return new Subscription(this, service, channel);
    }

    private void Notify(string service, ServingStatus status)
    {
        if (_watchers.TryGetValue(service, out var list))
        {
            foreach (var channel in list)
            {
                channel.Writer.TryWrite(status);
            }
        }
    }

    private void Unsubscribe(string service, Channel<ServingStatus> channel)
    {
        lock (_lock)
        {
            if (_watchers.TryGetValue(service, out var list))
            {
                list.Remove(channel);
                if (list.Count == 0)
                {
                    _watchers.Remove(service);
                }
            }
        }
    }

    internal sealed class Subscription : IDisposable
    {
        private readonly GrpcHealthStatusRegistry _registry;
        private readonly string _service;
        private readonly Channel<ServingStatus> _channel;

        public Subscription(GrpcHealthStatusRegistry registry, string service, Channel<ServingStatus> channel)
        {
            _registry = registry;
            _service = service;
            _channel = channel;
        }

        public ChannelReader<ServingStatus> Reader => _channel.Reader;

        public void Dispose() => _registry.Unsubscribe(_service, _channel);
    }
}
