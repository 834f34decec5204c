// Open-loop HTTP/1.1 load generator: requests go out on a fixed schedule whatever the server's
// speed, and each latency is measured from the moment the request was due (no coordinated
// omission). Raw sockets and pre-built requests keep the generator's own CPU use small, since
// it shares the machine with the server it measures.
// usage: LoadGen URL RATE SECONDS REQUESTS_FILE [CONNECTIONS] [WARMUP_SECONDS]
// The first WARMUP_SECONDS of the schedule are sent at the same rate but left out of the percentiles (the
// generator's own JIT and connection set-up would otherwise be measured as the server's latency).
// REQUESTS_FILE: one request per line, "Header1:value1|Header2:value2<TAB>base64 body".
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

if (args.Length < 4)
{
    Console.Error.WriteLine("usage: LoadGen URL RATE SECONDS REQUESTS_FILE [CONNECTIONS] [WARMUP_SECONDS]");
    return 2;
}

var url = new Uri(args[0]);
var rate = double.Parse(args[1], CultureInfo.InvariantCulture);
var seconds = double.Parse(args[2], CultureInfo.InvariantCulture);
var connections = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 128;
var warmup = args.Length > 5 ? double.Parse(args[5], CultureInfo.InvariantCulture) : 0;
var requests = File.ReadAllLines(args[3]).Where(l => l.Length > 0).Select(l => RequestBytes.Build(url, l)).ToArray();

var total = (int)(rate * (seconds + warmup));
var measuredFrom = (int)(rate * warmup);
var latencies = new double[total];
var statuses = new int[total];
var due = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleWriter = true });
var clock = Stopwatch.StartNew();

var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
{
    Connection? connection = null;
    await foreach (var index in due.Reader.ReadAllAsync())
    {
        try
        {
            connection ??= await Connection.OpenAsync(url);
            statuses[index] = await connection.SendAsync(requests[index % requests.Length]);
        }
        catch (Exception e) when (e is SocketException or IOException or InvalidDataException)
        {
            statuses[index] = 0;
            connection?.Dispose();
            connection = null;
        }

        latencies[index] = clock.Elapsed.TotalMilliseconds - (index / rate * 1000);
    }

    connection?.Dispose();
})).ToArray();

// The schedule, not the answers, sets the pace: request i is due at i / rate seconds.
var sent = 0;
while (sent < total)
{
    var now = Math.Min(total, (int)(clock.Elapsed.TotalSeconds * rate) + 1);
    for (; sent < now; sent++)
    {
        due.Writer.TryWrite(sent);
    }

    await Task.Delay(1);
}

due.Writer.Complete();
await Task.WhenAll(workers);
var elapsed = clock.Elapsed.TotalSeconds;

var measured = latencies[measuredFrom..];
Array.Sort(measured);
double Percentile(double p) => measured[Math.Min(measured.Length - 1, Math.Max(0, (int)Math.Ceiling(p / 100 * measured.Length) - 1))];
var ok = statuses.Count(s => s is >= 200 and < 300);
Console.WriteLine(FormattableString.Invariant(
    $"sent={total} ok={ok} failed={total - ok} achieved={total / elapsed:0} measured={measured.Length} p50={Percentile(50):0.00} p90={Percentile(90):0.00} p99={Percentile(99):0.00} max={measured[^1]:0.00}"));
foreach (var group in statuses.Where(s => s is < 200 or >= 300).GroupBy(s => s))
{
    Console.WriteLine($"status {group.Key}: {group.Count()}");
}

return 0;

/// <summary>A complete HTTP/1.1 request, serialized once.</summary>
internal static class RequestBytes
{
    public static byte[] Build(Uri url, string line)
    {
        var tab = line.IndexOf('\t', StringComparison.Ordinal);
        var body = Convert.FromBase64String(line[(tab + 1)..]);
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"POST {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nContent-Length: {body.Length}\r\n");
        foreach (var header in line[..tab].Split('|', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            head.Append(header.AsSpan(0, colon)).Append(": ").Append(header.AsSpan(colon + 1)).Append("\r\n");
        }

        head.Append("\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. body];
    }
}

/// <summary>One keep-alive connection: write a request, read one response (Content-Length or chunked).</summary>
internal sealed class Connection : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private Connection(Socket socket) => _socket = socket;

    public static async Task<Connection> OpenAsync(Uri url)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(url.Host, url.Port);
        return new Connection(socket);
    }

    public async Task<int> SendAsync(byte[] request)
    {
        await _socket.SendAsync(request, SocketFlags.None);
        var statusLine = await ReadLineAsync();
        var status = int.Parse(statusLine.AsSpan(9, 3), CultureInfo.InvariantCulture);
        var length = -1;
        var chunked = false;
        while (await ReadLineAsync() is { Length: > 0 } header)
        {
            if (header.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(header.AsSpan(15).Trim(), CultureInfo.InvariantCulture);
            }
            else if (header.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && header.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                chunked = true;
            }
        }

        if (chunked)
        {
            int size;
            do
            {
                size = int.Parse(await ReadLineAsync(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                await SkipAsync(size + 2);
            }
            while (size > 0);
        }
        else if (length > 0)
        {
            await SkipAsync(length);
        }

        return status;
    }

    private async Task<string> ReadLineAsync()
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var line = Encoding.ASCII.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
                _start = newline + 1;
                return line;
            }

            await FillAsync();
        }
    }

    private async Task SkipAsync(int count)
    {
        while (count > 0)
        {
            if (_start == _end)
            {
                await FillAsync();
            }

            var take = Math.Min(count, _end - _start);
            _start += take;
            count -= take;
        }
    }

    private async Task FillAsync()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None);
        if (read == 0)
        {
            throw new InvalidDataException("connection closed");
        }

        _end += read;
    }

    public void Dispose() => _socket.Dispose();
}
