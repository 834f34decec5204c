using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Streaming.Cli.Sending;

/// <summary>The outcome of one webhook request.</summary>
public sealed record SendResult(WebhookDelivery Delivery, int? HttpStatus, TimeSpan Latency, string? Error, long AcceptedAtTimestamp)
{
    public bool Accepted => HttpStatus is >= 200 and < 300;
}

/// <summary>POSTs signed webhooks to the ingress (/webhooks/{provider}) over keep-alive connections.</summary>
public sealed class WebhookSender(Uri ingress, int maxConnections = 256) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = maxConnections,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    public Uri Ingress { get; } = ingress;

    /// <summary>Sends one delivery. A connection failure is a result with no HTTP status, not an exception.</summary>
    public async Task<SendResult> SendAsync(WebhookDelivery delivery, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Ingress, $"webhooks/{delivery.Provider}"))
        {
            Content = new ByteArrayContent(delivery.Body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in delivery.Sign())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var done = Stopwatch.GetTimestamp();
            return new SendResult(delivery, (int)response.StatusCode, Stopwatch.GetElapsedTime(started, done),
                response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}", done);
        }
        catch (HttpRequestException ex)
        {
            return new SendResult(delivery, null, Stopwatch.GetElapsedTime(started), ex.Message, 0);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new SendResult(delivery, null, Stopwatch.GetElapsedTime(started), "timed out: " + ex.Message, 0);
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>True when the failure means the ingress was not reached at all.</summary>
    public static bool IsUnreachable(SendResult result) => result.HttpStatus is null;

    internal static HttpStatusCode? Status(SendResult result) => result.HttpStatus is { } s ? (HttpStatusCode)s : null;
}

/// <summary>Counts and latency percentiles of a send run.</summary>
public sealed record SendSummary(int Sent, int Accepted, int Rejected, int Unreachable, double P50Ms, double P90Ms, double P99Ms, double MaxMs, double Seconds)
{
    public static SendSummary Of(IReadOnlyCollection<SendResult> results, TimeSpan elapsed)
    {
        var latencies = results.Where(r => r.HttpStatus is not null).Select(r => r.Latency.TotalMilliseconds).Order().ToArray();
        return new SendSummary(
            results.Count,
            results.Count(r => r.Accepted),
            results.Count(r => r.HttpStatus is not null && !r.Accepted),
            results.Count(r => r.HttpStatus is null),
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.90),
            Percentile(latencies, 0.99),
            latencies.Length == 0 ? 0 : latencies[^1],
            elapsed.TotalSeconds);
    }

    /// <summary>Nearest-rank percentile of sorted values (0 for none).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double quantile)
    {
        if (sorted.Count == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(quantile * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
