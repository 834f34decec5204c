using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Streaming.Grpc;

namespace Streaming.Grpc.Tests.Support;

/// <summary>
/// A deliberately low-level gRPC client over HttpClient and real HTTP/2 (prior knowledge, h2c):
/// it sends exactly the bytes a test asks for and reports headers, messages and trailers as seen.
/// </summary>
public sealed class RawGrpcClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _address;

    public RawGrpcClient(Uri address)
    {
        _address = address;
        _http = new HttpClient(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public static byte[] Frames(params IMessage[] messages) =>
        messages.SelectMany(m => GrpcFraming.Frame(m.ToByteArray())).ToArray();

    public HttpRequestMessage Request(string path, byte[] body, string contentType = "application/grpc")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_address, path))
        {
            // Defaults on HttpClient do not apply to hand-built requests: set both on each.
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation("te", "trailers");
        return request;
    }

    public Task<GrpcResult> UnaryAsync(string path, IMessage request, string? authorization = null, string? timeout = null) =>
        SendAsync(Request(path, Frames(request)), authorization, timeout);

    public async Task<GrpcResult> SendAsync(HttpRequestMessage request, string? authorization = null, string? timeout = null, CancellationToken cancellationToken = default)
    {
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("authorization", authorization);
        }

        if (timeout is not null)
        {
            request.Headers.TryAddWithoutValidation("grpc-timeout", timeout);
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var messages = new List<byte[]>();
        if (response.Content.Headers.ContentType?.MediaType == "application/grpc")
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            while (await ReadFrameAsync(stream, cancellationToken) is { } message)
            {
                messages.Add(message);
            }
        }
        else
        {
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
        }

        return new GrpcResult(response, messages);
    }

    /// <summary>Starts a server-streaming call and returns the open response for incremental reading.</summary>
    public async Task<HttpResponseMessage> StartStreamAsync(string path, IMessage request, CancellationToken cancellationToken, string? authorization = null)
    {
        var message = Request(path, Frames(request));
        if (authorization is not null)
        {
            message.Headers.TryAddWithoutValidation("authorization", authorization);
        }

        return await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    public static async Task<byte[]?> ReadFrameAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[GrpcFraming.HeaderSize];
        var read = await ReadAtLeastAsync(stream, header, cancellationToken);
        if (read == 0)
        {
            return null;
        }

        if (read < header.Length || header[0] != 0)
        {
            throw new InvalidDataException($"bad frame header ({read} bytes, flag {header[0]})");
        }

        var message = new byte[BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1))];
        if (await ReadAtLeastAsync(stream, message, cancellationToken) < message.Length)
        {
            throw new InvalidDataException("truncated message");
        }

        return message;
    }

    private static async Task<int> ReadAtLeastAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken) =>
        buffer.Length == 0 ? 0 : await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);

    public void Dispose() => _http.Dispose();
}

/// <summary>What came back from one call, with status from trailers or, for trailers-only, headers.</summary>
public sealed class GrpcResult
{
    public GrpcResult(HttpResponseMessage response, List<byte[]> messages)
    {
        HttpStatus = response.StatusCode;
        ContentType = response.Content.Headers.ContentType?.ToString();
        Messages = messages;
        HeaderStatus = Header(response.Headers, "grpc-status");
        TrailerStatus = Header(response.TrailingHeaders, "grpc-status");
        RawMessage = Header(response.TrailingHeaders, "grpc-message") ?? Header(response.Headers, "grpc-message");
        AcceptEncoding = Header(response.Headers, "grpc-accept-encoding");
    }

    public HttpStatusCode HttpStatus { get; }

    public string? ContentType { get; }

    public List<byte[]> Messages { get; }

    public string? HeaderStatus { get; }

    public string? TrailerStatus { get; }

    public string? RawMessage { get; }

    public string? AcceptEncoding { get; }

    public bool TrailersOnly => HeaderStatus is not null;

    public StatusCode? Status => (TrailerStatus ?? HeaderStatus) is { } s ? (StatusCode)int.Parse(s, CultureInfo.InvariantCulture) : null;

    public string? Message => RawMessage is null ? null : GrpcMessageEncoding.Decode(RawMessage);

    public T SingleMessage<T>(MessageParser<T> parser)
        where T : IMessage<T> => parser.ParseFrom(Assert.Single(Messages));

    public override string ToString() => $"HTTP {(int)HttpStatus}, grpc-status {Status}, message '{Message}', {Messages.Count} message(s)";

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}
