// Open-loop HTTP load generator: sends requests at a fixed rate whatever the server's speed and
// measures each latency from the moment the request was due (no coordinated omission).
// usage: LoadGen URL RATE SECONDS REQUESTS_FILE
// REQUESTS_FILE: one request per line, "header1:value1|header2:value2<TAB>base64 body".
using System.Diagnostics;
using System.Globalization;
using System.Net;

if (args.Length < 4)
{
    Console.Error.WriteLine("usage: LoadGen URL RATE SECONDS REQUESTS_FILE");
    return 2;
}

var url = new Uri(args[0]);
var rate = double.Parse(args[1], CultureInfo.InvariantCulture);
var seconds = double.Parse(args[2], CultureInfo.InvariantCulture);
var requests = File.ReadAllLines(args[3]).Where(l => l.Length > 0).Select(Template.Parse).ToArray();

using var client = new HttpClient(new SocketsHttpHandler
{
    MaxConnectionsPerServer = 1024,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    UseProxy = false,
})
{
    Timeout = TimeSpan.FromSeconds(30),
};

var total = (int)(rate * seconds);
var latencies = new double[total];
var statuses = new int[total];
var inFlight = new List<Task>(total);
var clock = Stopwatch.StartNew();
var tick = TimeSpan.FromMilliseconds(1);
var sent = 0;
while (sent < total)
{
    // Send everything that is due by now; the schedule, not the responses, sets the pace.
    var due = Math.Min(total, (int)(clock.Elapsed.TotalSeconds * rate) + 1);
    for (; sent < due; sent++)
    {
        var index = sent;
        var scheduled = index / rate;
        inFlight.Add(SendAsync(index, scheduled));
    }

    await Task.Delay(tick);
}

await Task.WhenAll(inFlight);
var elapsed = clock.Elapsed.TotalSeconds;

Array.Sort(latencies);
double Percentile(double p) => latencies[Math.Min(total - 1, (int)Math.Ceiling(p / 100 * total) - 1)];
var ok = statuses.Count(s => s is >= 200 and < 300);
Console.WriteLine(FormattableString.Invariant(
    $"sent={total} ok={ok} failed={total - ok} achieved={total / elapsed:0} p50={Percentile(50):0.00} p90={Percentile(90):0.00} p99={Percentile(99):0.00} max={latencies[^1]:0.00}"));
foreach (var group in statuses.Where(s => s is < 200 or >= 300).GroupBy(s => s))
{
    Console.WriteLine($"status {group.Key}: {group.Count()}");
}

return 0;

async Task SendAsync(int index, double scheduledSeconds)
{
    var template = requests[index % requests.Length];
    using var request = template.Build(url);
    try
    {
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        statuses[index] = (int)response.StatusCode;
    }
    catch (HttpRequestException)
    {
        statuses[index] = 0;
    }
    catch (TaskCanceledException)
    {
        statuses[index] = -1;
    }

    latencies[index] = (clock.Elapsed.TotalSeconds - scheduledSeconds) * 1000;
}

internal sealed record Template(KeyValuePair<string, string>[] Headers, byte[] Body)
{
    public static Template Parse(string line)
    {
        var tab = line.IndexOf('\t', StringComparison.Ordinal);
        var headers = line[..tab].Split('|', StringSplitOptions.RemoveEmptyEntries)
            .Select(h => h.Split(':', 2))
            .Select(p => KeyValuePair.Create(p[0], p[1]))
            .ToArray();
        return new Template(headers, Convert.FromBase64String(line[(tab + 1)..]));
    }

    public HttpRequestMessage Build(Uri url)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Version = HttpVersion.Version11,
            Content = new ByteArrayContent(Body),
        };
        foreach (var (name, value) in Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }
}
