using System.Diagnostics;
using System.Threading.Channels;
using Streaming.Status.Projection;

namespace Streaming.Status.Watching;

/// <summary>
/// In-process fan-out of committed document changes to watchers. Publishing never blocks: each watcher has a
/// bounded buffer, and a watcher that lets it fill up is dropped (its stream ends with RESOURCE_EXHAUSTED) rather
/// than slowing the projection down.
/// </summary>
public sealed class ChangeFeed
{
    private readonly Lock _lock = new();
    private Subscription[] _subscriptions = [];

    public int WatcherCount => Volatile.Read(ref _subscriptions).Length;

    /// <summary>Changes of one document, or of all (<paramref name="documentToken"/> empty), from now on.</summary>
    public Subscription Subscribe(string documentToken, int capacity)
    {
        var subscription = new Subscription(this, documentToken, capacity);
        lock (_lock)
        {
            _subscriptions = [.. _subscriptions, subscription];
        }

        return subscription;
    }

    /// <summary>Hands committed changes to the watchers (call after the transaction committed).</summary>
    public void Publish(IReadOnlyList<DocumentChange> changes)
    {
        var subscriptions = Volatile.Read(ref _subscriptions);
        if (subscriptions.Length == 0)
        {
            return;
        }

        foreach (var change in changes)
        {
            foreach (var subscription in subscriptions)
            {
                subscription.Offer(change);
            }
        }
    }

    /// <summary>
    /// Ends every current watcher's stream with <paramref name="reason"/> (a <see cref="WatchInterruptedException"/>):
    /// for when changes were lost on their way to the feed, so no watcher misses one without knowing.
    /// </summary>
    public int InterruptAll(string reason)
    {
        Subscription[] ended;
        lock (_lock)
        {
            ended = _subscriptions;
            _subscriptions = [];
        }

        foreach (var subscription in ended)
        {
            subscription.End(new WatchInterruptedException(reason));
        }

        return ended.Length;
    }

    /// <summary>Stamps changes with the publish time, for latency measurements.</summary>
    public static long Now() => Stopwatch.GetTimestamp();

    private void Remove(Subscription subscription)
    {
        lock (_lock)
        {
            _subscriptions = _subscriptions.Where(s => !ReferenceEquals(s, subscription)).ToArray();
        }
    }

    /// <summary>One watcher's buffer. Dispose to stop watching.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly ChangeFeed _feed;
        private readonly string _documentToken;
        private readonly Channel<DocumentChange> _channel;

        internal Subscription(ChangeFeed feed, string documentToken, int capacity)
        {
            _feed = feed;
            _documentToken = documentToken;
            Capacity = capacity;
            _channel = Channel.CreateBounded<DocumentChange>(new BoundedChannelOptions(capacity)
            {
                SingleReader = true,
                SingleWriter = false,
                FullMode = BoundedChannelFullMode.Wait,
            });
        }

        public int Capacity { get; }

        /// <summary>Completes with <see cref="WatcherOverflowException"/> when the watcher fell too far behind.</summary>
        public ChannelReader<DocumentChange> Reader => _channel.Reader;

        internal void Offer(DocumentChange change)
        {
            if (_documentToken.Length > 0 && !string.Equals(_documentToken, change.Document.DocumentToken, StringComparison.Ordinal))
            {
                return;
            }

            if (!_channel.Writer.TryWrite(change))
            {
                // Full (or already completed): drop this watcher, never wait for it.
                _channel.Writer.TryComplete(new WatcherOverflowException(Capacity));
                _feed.Remove(this);
            }
        }

        internal void End(Exception reason) => _channel.Writer.TryComplete(reason);

        public void Dispose()
        {
            _channel.Writer.TryComplete();
            _feed.Remove(this);
        }
    }
}

/// <summary>Changes were lost before they reached the watchers (e.g. another replica's notifications): watch again.</summary>
public sealed class WatchInterruptedException(string message) : Exception(message);

/// <summary>A watcher did not read its changes fast enough and was dropped.</summary>
public sealed class WatcherOverflowException : Exception
{
    public WatcherOverflowException()
    {
    }

    public WatcherOverflowException(int capacity)
        : base($"the watcher fell more than {capacity} changes behind and was dropped; watch again and re-read the current state")
    {
    }

    public WatcherOverflowException(string message)
        : base(message)
    {
    }

    public WatcherOverflowException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
