using System.Globalization;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace Streaming.Grpc;

/// <summary>
/// The wire side of one call: reads length-prefixed request messages from the HTTP/2 request
/// body, writes response messages, and ends the call with a status in trailers (or trailers-only).
/// </summary>
internal sealed class GrpcServerCall
{
    private readonly HttpContext _http;
    private readonly int _maxReceiveMessageSize;
    private readonly int _maxSendMessageSize;
    private bool _writing;

    public GrpcServerCall(HttpContext http, int maxReceiveMessageSize, int maxSendMessageSize)
    {
        _http = http;
        _maxReceiveMessageSize = maxReceiveMessageSize;
        _maxSendMessageSize = maxSendMessageSize;
    }

    /// <summary>True once response headers went out; from then on the status goes in trailers.</summary>
    public bool ResponseStarted { get; private set; }

    public int MessagesWritten { get; private set; }

    /// <summary>The next request message, or null at the end of the request stream.</summary>
    public async ValueTask<TMessage?> ReadMessageAsync<TMessage>(MessageParser<TMessage> parser, CancellationToken cancellationToken)
        where TMessage : class, IMessage<TMessage>
    {
        var reader = _http.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var outcome = GrpcFraming.TryReadFrame(buffer, _maxReceiveMessageSize, out var message, out var consumed, out var declaredLength);
            switch (outcome)
            {
                case GrpcFraming.ReadResult.Frame:
                    TMessage parsed;
                    try
                    {
                        parsed = parser.ParseFrom(message);
                    }
                    catch (InvalidProtocolBufferException ex)
                    {
                        reader.AdvanceTo(buffer.Start);
                        throw new GrpcException(StatusCode.Internal, $"the request message could not be parsed as {typeof(TMessage).Name}", ex);
                    }

                    reader.AdvanceTo(consumed);
                    return parsed;

                case GrpcFraming.ReadResult.Incomplete when result.IsCompleted || result.IsCanceled:
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    if (buffer.IsEmpty)
                    {
                        return null;
                    }

                    throw new GrpcException(StatusCode.Internal, declaredLength < 0
                        ? $"the request stream ended inside a message header ({buffer.Length} of {GrpcFraming.HeaderSize} bytes)"
                        : $"the request stream ended inside a message ({buffer.Length - GrpcFraming.HeaderSize} of {declaredLength} bytes)");

                case GrpcFraming.ReadResult.Incomplete:
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    continue;

                case GrpcFraming.ReadResult.Compressed:
                    reader.AdvanceTo(buffer.Start);
                    throw new GrpcException(StatusCode.Unimplemented,
                        "compressed request messages are not supported; this server accepts grpc-encoding identity only");

                case GrpcFraming.ReadResult.TooLarge:
                    reader.AdvanceTo(buffer.Start);
                    throw new GrpcException(StatusCode.ResourceExhausted,
                        $"the request message is {declaredLength} bytes, more than this server's limit of {_maxReceiveMessageSize} bytes");

                default:
                    reader.AdvanceTo(buffer.Start);
                    throw new GrpcException(StatusCode.Internal,
                        "invalid message frame: the compressed flag must be 0 or 1");
            }
        }
    }

    /// <summary>Exactly one request message, as unary and server-streaming methods take.</summary>
    public async ValueTask<TMessage> ReadSingleMessageAsync<TMessage>(MessageParser<TMessage> parser, CancellationToken cancellationToken)
        where TMessage : class, IMessage<TMessage>
    {
        // Request cardinality violations are UNIMPLEMENTED per the gRPC status code guide.
        var message = await ReadMessageAsync(parser, cancellationToken)
            ?? throw new GrpcException(StatusCode.Unimplemented, "the call carried no request message; this method takes exactly one");
        if (await ReadMessageAsync(parser, cancellationToken) is not null)
        {
            throw new GrpcException(StatusCode.Unimplemented, "the call carried more than one request message; this method takes exactly one");
        }

        return message;
    }

    /// <summary>Writes one response message and flushes it.</summary>
    public async Task WriteMessageAsync(IMessage message, CancellationToken cancellationToken)
    {
        if (_writing)
        {
            throw new InvalidOperationException("A previous write on this call has not completed; await each WriteAsync.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var size = message.CalculateSize();
        if (size > _maxSendMessageSize)
        {
            throw new GrpcException(StatusCode.ResourceExhausted,
                $"the response message is {size} bytes, more than this server's limit of {_maxSendMessageSize} bytes");
        }

        _writing = true;
        try
        {
            StartResponse();
            var writer = _http.Response.BodyWriter;
            GrpcFraming.WriteHeader(writer.GetSpan(GrpcFraming.HeaderSize), size);
            writer.Advance(GrpcFraming.HeaderSize);
            message.WriteTo(writer);
            var flushed = await writer.FlushAsync(cancellationToken);
            if (flushed.IsCanceled || flushed.IsCompleted)
            {
                throw new OperationCanceledException("The client is no longer reading the response.");
            }

            MessagesWritten++;
        }
        finally
        {
            _writing = false;
        }
    }

    /// <summary>
    /// Ends the call. With no response message sent yet this is a trailers-only response:
    /// grpc-status and grpc-message go in the one HEADERS frame.
    /// </summary>
    public async Task CompleteAsync(StatusCode status, string? message)
    {
        var response = _http.Response;
        if (!response.HasStarted)
        {
            StartResponse();
            response.Headers[GrpcProtocol.StatusHeader] = ((int)status).ToString(CultureInfo.InvariantCulture);
            if (!string.IsNullOrEmpty(message))
            {
                response.Headers[GrpcProtocol.MessageHeader] = GrpcMessageEncoding.Encode(message);
            }

            return;
        }

        response.AppendTrailer(GrpcProtocol.StatusHeader, ((int)status).ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(message))
        {
            response.AppendTrailer(GrpcProtocol.MessageHeader, GrpcMessageEncoding.Encode(message));
        }

        await response.CompleteAsync();
    }

    public async Task StartResponseAsync(CancellationToken cancellationToken)
    {
        StartResponse();
        await _http.Response.StartAsync(cancellationToken);
        await _http.Response.BodyWriter.FlushAsync(cancellationToken);
    }

    private void StartResponse()
    {
        if (ResponseStarted)
        {
            return;
        }

        var response = _http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.IdentityEncoding;
        ResponseStarted = true;
    }
}
