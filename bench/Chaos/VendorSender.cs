using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Threading.Channels;

namespace Streaming.Chaos;

/// <summary>What the sender saw for one delivery that got its 2xx: the id the ingress answered with.</summary>
internal sealed record Acknowledgement(VendorEvent Event, string ProviderEventId, int Attempts, bool Had503);

/// <summary>The sender's own record of everything it did; the reconciliation checks the pipeline against it.</summary>
internal sealed class Ledger
{
    public ConcurrentDictionary<string, VendorDocument> Documents { get; } = new();

    /// <summary>Every 2xx, by delivery (a retried delivery appears once, with its attempts).</summary>
    public ConcurrentBag<Acknowledgement> Acknowledged { get; } = [];

    /// <summary>Documents whose every delivery got its 2xx (only those have a model status to compare).</summary>
    public ConcurrentDictionary<string, bool> Finished { get; } = new();

    /// <summary>Markers (document tokens) of tampered requests: nothing with them may appear anywhere.</summary>
    public ConcurrentBag<string> TamperedMarkers { get; } = [];

    public ConcurrentBag<string> Failures { get; } = [];

    public long FirstAttempts;
    public long DispatchedDuringLoad;
    public long Attempts;
    public long Accepted;
    public long Retried503;
    public long Answers503;
    public long Answers429;
    public long Timeouts;
    public long ConnectionErrors;
    public long OtherServerErrors;
    public long TamperedSent;
    public long TamperedRejected;
    public long GaveUp;
}

/// <summary>
/// Sends webhooks like the vendors do, at a fixed rate of new deliveries (open loop: an outage does not slow the
/// vendors down), each document's deliveries one after the other; retries on timeouts, connection errors, 429 and 503
/// (honouring Retry-After) with exponential backoff and jitter, as inSigner and the Standard Webhooks senders do,
/// until it gets its 2xx or the run's retry deadline passes.
/// </summary>
internal sealed class VendorSender(Uri ingress, VendorModel model, Ledger ledger, int seed) : IDisposable
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(5);
    private const int MaxInFlight = 4000;
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 256,
        ConnectTimeout = TimeSpan.FromSeconds(2),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(10),
    })
    { BaseAddress = ingress, Timeout = Timeout.InfiniteTimeSpan };
    private readonly Random _random = new(seed);
    private readonly Channel<DocumentCursor> _ready = Channel.CreateUnbounded<DocumentCursor>();
    private readonly ConcurrentDictionary<Task, bool> _inFlight = new();
    private int _nextProvider;

    private static readonly string[] Providers = ["inscribe", "insigner", "instnt", "inkless", "generic"];

    /// <summary>
    /// Sends at <paramref name="rate"/> new deliveries per second for <paramref name="duration"/>, then lets the open
    /// documents finish (their remaining deliveries and retries) until <paramref name="retryDeadline"/>.
    /// </summary>
    public async Task<TimeSpan> RunAsync(double rate, TimeSpan duration, DateTimeOffset retryDeadline, double tamperedShare, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        long dispatched = 0;
        while (clock.Elapsed < duration && !cancellationToken.IsCancellationRequested)
        {
            var due = (long)(clock.Elapsed.TotalSeconds * rate);
            for (; dispatched < due; dispatched++)
            {
                if (_inFlight.Count >= MaxInFlight)
                {
                    // Every slot waits on an outage: the vendor's own queue, not more sockets.
                    break;
                }

                if (!_ready.Reader.TryRead(out var cursor))
                {
                    var document = model.Next(Providers[_nextProvider++ % Providers.Length]);
                    ledger.Documents[document.Token] = document;
                    cursor = new DocumentCursor(document);
                }

                Dispatch(cursor, retryDeadline, cancellationToken);
                Interlocked.Increment(ref ledger.DispatchedDuringLoad);
                if (_random.NextDouble() < tamperedShare)
                {
                    Track(SendTamperedAsync(Providers[_random.Next(Providers.Length)], cancellationToken));
                }
            }

            await Task.Delay(2, cancellationToken);
        }

        var sending = clock.Elapsed;

        // The documents already started get their remaining deliveries (vendors finish what they began).
        while (DateTimeOffset.UtcNow < retryDeadline && !cancellationToken.IsCancellationRequested)
        {
            while (_ready.Reader.TryRead(out var cursor))
            {
                Dispatch(cursor, retryDeadline, cancellationToken);
            }

            if (_inFlight.IsEmpty && !_ready.Reader.TryPeek(out _))
            {
                break;
            }

            await Task.Delay(20, cancellationToken);
        }

        await Task.WhenAll(_inFlight.Keys);
        return sending;
    }

    private void Dispatch(DocumentCursor cursor, DateTimeOffset retryDeadline, CancellationToken cancellationToken) =>
        Track(SendNextAsync(cursor, retryDeadline, cancellationToken));

    private void Track(Task task)
    {
        _inFlight[task] = true;
        _ = task.ContinueWith(t => _inFlight.TryRemove(t, out _), TaskScheduler.Default);
    }

    private async Task SendNextAsync(DocumentCursor cursor, DateTimeOffset retryDeadline, CancellationToken cancellationToken)
    {
        var delivery = cursor.Document.Deliveries[cursor.Next];
        Interlocked.Increment(ref ledger.FirstAttempts);
        var acknowledged = await DeliverAsync(delivery, retryDeadline, cancellationToken);
        if (acknowledged is null)
        {
            return;
        }

        ledger.Acknowledged.Add(acknowledged);
        cursor.Next++;
        if (cursor.Next < cursor.Document.Deliveries.Count)
        {
            _ready.Writer.TryWrite(cursor);
        }
        else
        {
            ledger.Finished[cursor.Document.Token] = true;
        }
    }

    private async Task<Acknowledgement?> DeliverAsync(VendorEvent delivery, DateTimeOffset retryDeadline, CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        var had503 = false;
        for (var attempt = 1; ; attempt++)
        {
            Interlocked.Increment(ref ledger.Attempts);
            TimeSpan? retryAfter = null;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "webhooks/" + delivery.Provider) { Content = new ByteArrayContent(delivery.Body) };
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                foreach (var (name, value) in delivery.Sign())
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(AttemptTimeout);
                using var response = await _http.SendAsync(request, timeout.Token);
                var text = await response.Content.ReadAsStringAsync(timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref ledger.Accepted);
                    if (had503)
                    {
                        Interlocked.Increment(ref ledger.Retried503);
                    }

                    using var json = JsonDocument.Parse(text);
                    return new Acknowledgement(delivery, json.RootElement.GetProperty("providerEventId").GetString()!, attempt, had503);
                }

                retryAfter = response.Headers.RetryAfter?.Delta;
                switch (response.StatusCode)
                {
                    case HttpStatusCode.ServiceUnavailable:
                        had503 = true;
                        Interlocked.Increment(ref ledger.Answers503);
                        break;
                    case HttpStatusCode.TooManyRequests:
                        Interlocked.Increment(ref ledger.Answers429);
                        break;
                    case >= HttpStatusCode.InternalServerError:
                        Interlocked.Increment(ref ledger.OtherServerErrors);
                        break;
                    default:
                        // A signed, well-formed webhook refused: no vendor retry fixes that; it is a failure of the run.
                        ledger.Failures.Add($"{delivery.Provider} {delivery.Type} for {delivery.DocumentToken}: {(int)response.StatusCode} {text}");
                        return null;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref ledger.Timeouts);
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref ledger.ConnectionErrors);
            }

            var wait = retryAfter ?? backoff;
            wait = TimeSpan.FromMilliseconds(wait.TotalMilliseconds * (0.5 + Random.Shared.NextDouble()));
            if (DateTimeOffset.UtcNow + wait > retryDeadline)
            {
                Interlocked.Increment(ref ledger.GaveUp);
                ledger.Failures.Add($"gave up on {delivery.Provider} {delivery.Type} for {delivery.DocumentToken} after {attempt} attempt(s)");
                return null;
            }

            await Task.Delay(wait, cancellationToken);
            backoff = TimeSpan.FromMilliseconds(Math.Min(5000, backoff.TotalMilliseconds * 2));
        }
    }

    private async Task SendTamperedAsync(string provider, CancellationToken cancellationToken)
    {
        var (_, body, headers, markers) = model.Tampered(provider);
        foreach (var marker in markers)
        {
            ledger.TamperedMarkers.Add(marker);
        }

        Interlocked.Increment(ref ledger.TamperedSent);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "webhooks/" + provider) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                foreach (var (name, value) in headers)
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(AttemptTimeout);
                using var response = await _http.SendAsync(request, timeout.Token);
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    Interlocked.Increment(ref ledger.TamperedRejected);
                    return;
                }

                if (response.IsSuccessStatusCode)
                {
                    ledger.Failures.Add($"a tampered {provider} request was accepted ({(int)response.StatusCode})");
                    return;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            catch (HttpRequestException)
            {
            }

            // The ingress is down or busy: try again (a tampered request must be refused, not merely unanswered).
            await Task.Delay(500, cancellationToken);
        }
    }

    public void Dispose() => _http.Dispose();

    private sealed class DocumentCursor(VendorDocument document)
    {
        public VendorDocument Document { get; } = document;

        public int Next { get; set; }
    }
}
