using System.Net;
using System.Net.Sockets;
using System.Text;
using Streaming.Testing;

namespace Streaming.Ingress.Tests;

/// <summary>Floods and garbage: the real vendor keeps getting through, nothing unsigned is ever stored, nothing crashes.</summary>
public sealed class AbuseTests : IAsyncLifetime
{
    private readonly InklessCase _inkless = new();
    private readonly string _topic = TestKafka.CreateTopic("abuse", 1);
    private IngressHost? _host;
    private RecordCollector _records = null!;

    public Task InitializeAsync()
    {
        _records = new RecordCollector(TestKafka.BootstrapServers, _topic, 1);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _records.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_unsigned_flood_from_one_address_neither_spends_the_providers_budget_nor_stops_the_vendor_at_another()
    {
        _host = await IngressHost.StartAsync(TestKafka.BootstrapServers, _topic, ProviderCase.All.SelectMany(c => c.Settings).Concat(
        [
            // A tight budget for the provider: only verified deliveries may spend it.
            KeyValuePair.Create("Ingress:Providers:inkless:RateLimitPerSecond", "20"),
            KeyValuePair.Create("Ingress:Providers:inkless:RateLimitBurst", "20"),
            KeyValuePair.Create("Ingress:ClientRateLimitPerSecond", "100"),
        ]));
        using var flooder = ClientFrom(IPAddress.Loopback, _host.Client.BaseAddress!);
        using var vendor = ClientFrom(IPAddress.Parse("127.0.0.2"), _host.Client.BaseAddress!);
        using var stop = new CancellationTokenSource();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        var flood = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var junk = Encoding.UTF8.GetBytes("""{"event":"document_complete","document_token":"flood"}""");
            while (!stop.IsCancellationRequested)
            {
                using var response = await flooder.PostWebhookAsync("inkless", junk, new Dictionary<string, string> { ["X-Inkless-Signature"] = "AAAA" });
                statuses.Add(response.StatusCode);
            }
        })).ToList();

        // Ten valid deliveries, spaced under the provider's limit, while the flood runs.
        var accepted = 0;
        for (var i = 0; i < 10; i++)
        {
            var signed = _inkless.Create(new SignOptions());
            using var response = await vendor.PostAsync("inkless", signed);
            accepted += response.StatusCode == HttpStatusCode.OK ? 1 : 0;
            await Task.Delay(100);
        }

        await stop.CancelAsync();
        await Task.WhenAll(flood);
        Assert.Equal(10, accepted);
        Assert.True(statuses.Count > 100, $"the flood sent only {statuses.Count} requests");
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests, $"flood answered {s}"));
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.DoesNotContain(_records.Records, r => r.Message.Key == "flood");
    }

    [Fact]
    public async Task Ten_thousand_generated_bad_requests_get_only_4xx_and_not_one_record()
    {
        _host = await IngressHost.StartAsync(TestKafka.BootstrapServers, _topic, ProviderCase.All.SelectMany(c => c.Settings));
        var random = new Random(20261202);
        var client = _host.Client;
        var answers = new Dictionary<int, int>();
        var cases = ProviderCase.All.ToList();

        // Valid deliveries signed by the independent signers, a few per provider; every request below breaks one.
        var valid = cases.ToDictionary(c => c.Name, c => Enumerable.Range(0, 8).Select(_ => c.Create(new SignOptions())).ToList());
        for (var i = 0; i < 10_000; i++)
        {
            var @case = cases[i % cases.Count];
            var pool = valid[@case.Name];
            var signed = pool[random.Next(pool.Count)];
            var other = pool.First(p => p != signed);
            using var request = Mutate(random, @case, signed, other, i);
            using var response = await client.SendAsync(request);
            var status = (int)response.StatusCode;
            answers[status] = answers.GetValueOrDefault(status) + 1;
            Assert.True(status is >= 400 and < 500, $"request {i} ({@case.Name}) got {status}: {await response.Content.ReadAsStringAsync()}");
            if (status == 429)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
        }

        // A valid delivery afterwards is stored; none of the 10,000 is.
        var sentinel = _inkless.Create(new SignOptions());
        using var ok = await client.PostAsync("inkless", sentinel);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        await _records.WaitForKeyAsync(sentinel.DocumentToken);
        Assert.Single(_records.Records);
        Assert.True(answers.Count >= 4, "the mutations reach several kinds of refusal: " + string.Join(", ", answers.Select(a => $"{a.Key}x{a.Value}")));
    }

    /// <summary>One bad request: a valid delivery with one thing broken (body, header, signature, encoding, size, method, route).</summary>
    private static HttpRequestMessage Mutate(Random random, ProviderCase @case, SignedRequest signed, SignedRequest other, int i)
    {
        var body = signed.Body.ToArray();
        var headers = new Dictionary<string, string>(signed.Headers);
        var method = HttpMethod.Post;
        var provider = @case.Name;
        switch (i / 5 % 10)
        {
            case 0: // flip a byte of the body
                body[random.Next(body.Length)] ^= (byte)(1 + random.Next(255));
                break;
            case 1: // truncate or extend the body
                body = random.Next(2) == 0 ? body[..random.Next(body.Length)] : [.. body, .. RandomBytes(random, 1 + random.Next(64))];
                break;
            case 2: // replace the signature with garbage of the right or wrong shape
                headers[@case.SignatureHeader] = random.Next(2) == 0 ? Convert.ToBase64String(RandomBytes(random, 32)) : new string(Enumerable.Range(0, 1 + random.Next(80)).Select(_ => (char)random.Next(33, 127)).ToArray());
                break;
            case 3: // drop a header the provider needs (the signature, or the signed timestamp or id), or all of them
                var needed = headers.Keys.Where(k => k == @case.SignatureHeader || k.Contains("timestamp", StringComparison.OrdinalIgnoreCase) || k == "webhook-id").ToList();
                if (random.Next(4) == 0)
                {
                    headers.Clear();
                }
                else
                {
                    headers.Remove(needed[random.Next(needed.Count)]);
                }

                break;
            case 4: // a body that is not JSON, or not UTF-8, signed with a guess
                body = random.Next(2) == 0 ? RandomBytes(random, 1 + random.Next(512)) : Encoding.UTF8.GetBytes(new string('[', 5000));
                break;
            case 5: // far too large
                body = new byte[(1024 * 1024) + 1 + random.Next(1024)];
                break;
            case 6: // another method
                method = new[] { HttpMethod.Get, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch }[random.Next(4)];
                break;
            case 7: // an unknown provider
                provider = "nobody" + random.Next(1000);
                break;
            case 8: // a stale or future timestamp where one is sent, else a flipped signature character
                foreach (var name in headers.Keys.Where(k => k.Contains("timestamp", StringComparison.OrdinalIgnoreCase)).ToList())
                {
                    headers[name] = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + (random.Next(2) == 0 ? -1 : 1) * (301 + random.Next(100_000))).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                var signature = headers.GetValueOrDefault(@case.SignatureHeader) ?? "x";
                headers[@case.SignatureHeader] = signature[..^1] + (signature[^1] == '0' ? '1' : '0');
                break;
            default: // the signature of another body
                headers[@case.SignatureHeader] = other.Headers[@case.SignatureHeader];
                break;
        }

        var request = new HttpRequestMessage(method, $"/webhooks/{provider}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(random.Next(10) == 0 ? "text/plain" : "application/json");
        foreach (var (name, value) in headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>An HttpClient whose connections come from <paramref name="local"/> (another client address on loopback).</summary>
    private static HttpClient ClientFrom(IPAddress local, Uri baseAddress) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { BaseAddress = baseAddress };
}
