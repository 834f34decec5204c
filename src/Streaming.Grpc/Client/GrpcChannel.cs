using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace Streaming.Grpc.Client;

/// <summary>Per-call settings of a client call.</summary>
public sealed record GrpcCallOptions
{
    /// <summary>How long the call may take; sent as grpc-timeout and enforced locally. Null: no deadline.</summary>
    public TimeSpan? Deadline { get; init; }

    /// <summary>Value of the authorization header, e.g. "Bearer ...". Null: none.</summary>
    public string? Authorization { get; init; }
}

/// <summary>
/// A small gRPC client over HttpClient and HTTP/2 without TLS (prior knowledge, h2c): unary and
/// server-streaming calls, protobuf only, no compression. Failures surface as <see cref="GrpcException"/>
/// with the status the server sent, or the one the gRPC spec maps a transport failure to
/// (UNAVAILABLE when the server cannot be reached, DEADLINE_EXCEEDED when the deadline passed).
/// </summary>
public sealed class GrpcChannel : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsClient;

    public GrpcChannel(Uri address, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!address.IsAbsoluteUri || address.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"gRPC address must be an absolute http:// URL (h2c), got '{address}'.", nameof(address));
        }

        Address = address;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { EnableMultipleHttp2Connections = true, ConnectTimeout = TimeSpan.FromSeconds(5) })
        {
            // Streams stay open for as long as the caller wants; deadlines are per call.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _ownsClient = true;
    }

    /// <summary>The server's base address, e.g. http://127.0.0.1:8081.</summary>
    public Uri Address { get; }

    /// <summary>Largest message accepted from the server.</summary>
    public int MaxReceiveMessageSize { get; init; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>Calls a unary method (<paramref name="path"/> = /package.Service/Method).</summary>
    public async Task<TResponse> UnaryAsync<TResponse>(
        string path,
        IMessage request,
        MessageParser<TResponse> parser,
        GrpcCallOptions? options = null,
        CancellationToken cancellationToken = default)
        where TResponse : IMessage<TResponse>
    {
        using var deadline = DeadlineSource(options, cancellationToken);
        try
        {
            using var response = await SendAsync(path, request, options, deadline.Token);
            await using var stream = await response.Content.ReadAsStreamAsync(deadline.Token);
            var messages = new List<TResponse>(1);
            while (await ReadMessageAsync(stream, deadline.Token) is { } bytes)
            {
                messages.Add(parser.ParseFrom(bytes));
            }

            ThrowIfNotOk(response);
            return messages.Count == 1
                ? messages[0]
                : throw new GrpcException(StatusCode.Internal, $"{path}: a unary call returned {messages.Count} messages");
        }
        catch (Exception ex) when (Translate(ex, path, deadline, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Calls a server-streaming method and yields each message as it arrives.</summary>
    public async IAsyncEnumerable<TResponse> ServerStreamingAsync<TResponse>(
        string path,
        IMessage request,
        MessageParser<TResponse> parser,
        GrpcCallOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TResponse : IMessage<TResponse>
    {
        using var deadline = DeadlineSource(options, cancellationToken);
        HttpResponseMessage response;
        Stream stream;
        try
        {
            response = await SendAsync(path, request, options, deadline.Token);
            stream = await response.Content.ReadAsStreamAsync(deadline.Token);
        }
        catch (Exception ex) when (Translate(ex, path, deadline, cancellationToken) is { } translated)
        {
            throw translated;
        }

        using (response)
        await using (stream)
        {
            while (true)
            {
                byte[]? bytes;
                try
                {
                    bytes = await ReadMessageAsync(stream, deadline.Token);
                }
                catch (Exception ex) when (Translate(ex, path, deadline, cancellationToken) is { } translated)
                {
                    throw translated;
                }

                if (bytes is null)
                {
                    break;
                }

                yield return parser.ParseFrom(bytes);
            }

            ThrowIfNotOk(response);
        }
    }

    public void Dispose()
    {
        if (_ownsClient)
        {
            _http.Dispose();
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string path, IMessage request, GrpcCallOptions? options, CancellationToken cancellationToken)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, new Uri(Address, path))
        {
            // Defaults on HttpClient do not apply to hand-built requests: both are set on each.
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(GrpcFraming.Frame(request.ToByteArray())),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue(GrpcProtocol.ContentType);
        message.Headers.TryAddWithoutValidation("te", "trailers");
        message.Headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.IdentityEncoding);
        if (options?.Deadline is { } timeout)
        {
            message.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(timeout));
        }

        if (options?.Authorization is { } authorization)
        {
            message.Headers.TryAddWithoutValidation(GrpcProtocol.AuthorizationHeader, authorization);
        }

        HttpResponseMessage response;
        using (message)
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            using (response)
            {
                // A trailers-only error may still come with a non-200 from a proxy; the status header wins.
                throw HeaderStatus(response) ?? new GrpcException(FromHttpStatus(response.StatusCode), $"{path}: HTTP {(int)response.StatusCode} from {Address}");
            }
        }

        if (HeaderStatus(response) is { } trailersOnly)
        {
            response.Dispose();
            throw trailersOnly;
        }

        if (!GrpcProtocol.IsGrpcContentType(response.Content.Headers.ContentType?.ToString()))
        {
            var contentType = response.Content.Headers.ContentType?.ToString() ?? "none";
            response.Dispose();
            throw new GrpcException(StatusCode.Unknown, $"{path}: {Address} answered with content-type {contentType}, not gRPC");
        }

        if (response.Headers.TryGetValues(GrpcProtocol.EncodingHeader, out var encodings)
            && encodings.Any(e => !string.Equals(e, GrpcProtocol.IdentityEncoding, StringComparison.OrdinalIgnoreCase)))
        {
            response.Dispose();
            throw new GrpcException(StatusCode.Internal, $"{path}: the server compressed its response, which this client does not read");
        }

        return response;
    }

    private async Task<byte[]?> ReadMessageAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[GrpcFraming.HeaderSize];
        var read = await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
        if (read == 0)
        {
            return null;
        }

        if (read < header.Length)
        {
            throw new GrpcException(StatusCode.Internal, "the response ended inside a message header");
        }

        if (header[0] != 0)
        {
            throw new GrpcException(StatusCode.Internal, "the server sent a compressed message, which this client does not read");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
        if (length > MaxReceiveMessageSize)
        {
            throw new GrpcException(StatusCode.ResourceExhausted, $"received message of {length} bytes exceeds the limit of {MaxReceiveMessageSize}");
        }

        var message = new byte[length];
        if (length > 0 && await stream.ReadAtLeastAsync(message, message.Length, throwOnEndOfStream: false, cancellationToken) < message.Length)
        {
            throw new GrpcException(StatusCode.Internal, "the response ended inside a message");
        }

        return message;
    }

    private static void ThrowIfNotOk(HttpResponseMessage response)
    {
        var status = Header(response.TrailingHeaders, GrpcProtocol.StatusHeader);
        if (status is null)
        {
            throw new GrpcException(StatusCode.Internal, "the response ended without a grpc-status trailer");
        }

        if (ParseStatus(status) is var code && code != StatusCode.OK)
        {
            var message = Header(response.TrailingHeaders, GrpcProtocol.MessageHeader);
            throw new GrpcException(code, message is null ? code.ToString() : GrpcMessageEncoding.Decode(message));
        }
    }

    private static GrpcException? HeaderStatus(HttpResponseMessage response)
    {
        var status = Header(response.Headers, GrpcProtocol.StatusHeader);
        if (status is null)
        {
            return null;
        }

        var code = ParseStatus(status);
        if (code == StatusCode.OK)
        {
            // Trailers-only OK carries no message: for a unary call that is a protocol error.
            return new GrpcException(StatusCode.Internal, "the server ended the call with OK but sent no message");
        }

        var message = Header(response.Headers, GrpcProtocol.MessageHeader);
        return new GrpcException(code, message is null ? code.ToString() : GrpcMessageEncoding.Decode(message));
    }

    private static StatusCode ParseStatus(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 0 and <= 16
            ? (StatusCode)code
            : StatusCode.Unknown;

    /// <summary>The gRPC spec's mapping of HTTP status codes for responses that are not gRPC.</summary>
    internal static StatusCode FromHttpStatus(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => StatusCode.Internal,
        HttpStatusCode.Unauthorized => StatusCode.Unauthenticated,
        HttpStatusCode.Forbidden => StatusCode.PermissionDenied,
        HttpStatusCode.NotFound => StatusCode.Unimplemented,
        HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private static CancellationTokenSource DeadlineSource(GrpcCallOptions? options, CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options?.Deadline is { } deadline)
        {
            source.CancelAfter(deadline);
        }

        return source;
    }

    private GrpcException? Translate(Exception ex, string path, CancellationTokenSource deadline, CancellationToken callerToken) => ex switch
    {
        GrpcException => null,
        OperationCanceledException when callerToken.IsCancellationRequested => null,
        OperationCanceledException when deadline.IsCancellationRequested =>
            new GrpcException(StatusCode.DeadlineExceeded, $"{path}: deadline exceeded", ex),
        InvalidProtocolBufferException =>
            new GrpcException(StatusCode.Internal, $"{path}: the server sent a message this client cannot parse: {ex.Message}", ex),
        HttpRequestException http when http.StatusCode is null =>
            new GrpcException(StatusCode.Unavailable, $"cannot reach the gRPC server at {Address}: {http.Message}", ex),
        HttpRequestException or IOException =>
            new GrpcException(StatusCode.Unavailable, $"{path}: connection to {Address} failed: {ex.Message}", ex),
        _ => null,
    };
}
