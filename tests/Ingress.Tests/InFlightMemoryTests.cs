using System.Net;
using System.Text;
using Xunit.Abstractions;

namespace Streaming.Ingress.Tests;

/// <summary>
/// While Kafka has not acknowledged, an in-flight webhook is held once: by the producer's copy of the record, not also
/// by the request's body array. Measured on the managed heap with large bodies held in flight by a slow broker; alone in
/// its collection, since other tests' allocations would blur the figure.
/// </summary>
[Collection(nameof(InFlightMemoryTests))]
public sealed class InFlightMemoryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Requests = 16;
    private const int BodyBytes = 1_000_000; // under the default 1 MiB body limit

    private readonly InklessCase _inkless = new();
    private IsolatedIngress _ingress = null!;

    public async Task InitializeAsync() => _ingress = await IsolatedIngress.StartAsync("inflight", _inkless.Settings.Concat(
        [
            KeyValuePair.Create("Ingress:DeliveryTimeout", "00:00:20"),
            KeyValuePair.Create("Logging:LogLevel:Default", "Warning"),
        ]));

    public async Task DisposeAsync() => await _ingress.DisposeAsync();

    [Fact]
    public async Task A_request_waiting_for_its_ack_holds_no_managed_copy_of_its_body()
    {
        var body = LargeBody();
        var headers = _inkless.SignedHeaders(body);

        // Two first rounds size every pool (Kestrel's buffers, JSON's, the connections) for this many large bodies at once.
        for (var warmup = 0; warmup < 2; warmup++)
        {
            Assert.All(await SendRoundAsync(body, headers), status => Assert.Equal(HttpStatusCode.OK, status));
        }

        _ingress.Cluster.SetBrokerRoundTripTime(1, TimeSpan.FromSeconds(6));
        var round = SendRoundAsync(body, headers);

        // The acks wait for the delay; uploads and verification are done within the first second or two even on a busy
        // machine. The lowest of several samples is the heap with every body handed over (a held body never goes).
        await Task.Delay(TimeSpan.FromSeconds(1));
        var during = long.MaxValue;
        for (var sample = 0; sample < 7; sample++)
        {
            during = Math.Min(during, ManagedHeapBytes());
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        Assert.False(round.IsCompleted, "the requests should still be waiting for Kafka");
        _ingress.Cluster.SetBrokerRoundTripTime(1, TimeSpan.Zero);
        Assert.All(await round, status => Assert.Equal(HttpStatusCode.OK, status));
        var after = ManagedHeapBytes();

        // What the in-flight requests held is what went when they completed (pools the round grew keep their memory).
        // Held bodies would be Requests x BodyBytes (16 MB); the requests' own objects stay far below a quarter of that.
        var held = during - after;
        output.WriteLine($"managed heap while in flight {during:N0} bytes, after {after:N0} bytes");
        Assert.True(held < Requests * BodyBytes / 4, $"the in-flight requests held {held:N0} bytes with {Requests} bodies of {BodyBytes:N0} bytes");
    }

    private async Task<HttpStatusCode[]> SendRoundAsync(byte[] body, Dictionary<string, string> headers) =>
        await Task.WhenAll(Enumerable.Range(0, Requests).Select(async _ =>
        {
            using var response = await _ingress.Host.Client.PostWebhookAsync("inkless", body, headers);
            return response.StatusCode;
        }));

    private static long ManagedHeapBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static byte[] LargeBody()
    {
        var head = $"{{\"event\":\"document_signed\",\"secure_link_id\":271,\"document_token\":\"doc_inflight_{Guid.NewGuid():N}\",\"timestamp\":\"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssZ}\",\"note\":\"";
        const string Tail = "\"}";
        return Encoding.UTF8.GetBytes(head + new string('x', BodyBytes - head.Length - Tail.Length) + Tail);
    }
}

[CollectionDefinition(nameof(InFlightMemoryTests), DisableParallelization = true)]
public sealed class InFlightMemoryTestsCollection
{
}
