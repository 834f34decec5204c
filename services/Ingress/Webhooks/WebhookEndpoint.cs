using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Threading.RateLimiting;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Streaming.Ingress.Providers;
using Streaming.Ingress.Publishing;
using Streaming.Ingress.Verification;

namespace Streaming.Ingress.Webhooks;

/// <summary>Maps the webhook route.</summary>
public static class WebhookEndpoint
{
    public const string Route = "/webhooks/{provider}";

    /// <summary>The per-client-address rate limit policy of the webhook routes (IngressApplication).</summary>
    public const string ClientLimitPolicy = "webhook-clients";

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder endpoints)
    {
        var post = endpoints.MapPost(Route, (string provider, HttpContext context, WebhookHandler handler) => handler.HandleAsync(provider, context));

        // With the per-client limit off, no request goes through the rate limiter at all.
        if (endpoints.ServiceProvider.GetRequiredService<IOptions<IngressOptions>>().Value.LimitsClients)
        {
            post.RequireRateLimiting(ClientLimitPolicy);
        }

        // Any other method gets the same small problem+json as every other error, with Allow: POST.
        endpoints.MapMethods(Route, [HttpMethods.Get, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete, HttpMethods.Head, HttpMethods.Options], Problems.MethodNotAllowed);
        return endpoints;
    }
}

/// <summary>POST /webhooks/{provider}: verify, answer a handshake or publish, and only then answer 2xx.</summary>
public sealed partial class WebhookHandler(
    ProviderRegistry providers,
    SignatureVerifier verifier,
    RawEventPublisher publisher,
    IngressTelemetry telemetry,
    TimeProvider time,
    IOptions<IngressOptions> options,
    ILogger<WebhookHandler> logger)
{
    public async Task<IResult> HandleAsync(string provider, HttpContext context)
    {
        if (!providers.TryGet(provider, out var definition))
        {
            telemetry.Received(IngressTelemetry.UnknownProvider);
            telemetry.Rejected(IngressTelemetry.UnknownProvider, "provider_unknown");
            return Problems.UnknownProvider();
        }

        telemetry.Received(definition.Name);
        var receivedAt = time.GetUtcNow();
        var body = await ReadBodyAsync(context.Request, definition.MaxBodyBytes, context.RequestAborted);
        if (body is null)
        {
            Reject(definition.Name, "body_too_large");
            return Problems.TooLarge(definition.MaxBodyBytes);
        }

        var headers = context.Request.Headers;
        string? Header(string name) => headers.TryGetValue(name, out var values) ? values.ToString() : null;

        // The body is parsed only once its signature holds, with a depth limit. The one exception is a handshake a
        // provider sends before any secret exists (Inkless): that body is parsed unsigned, and answered, never stored.
        using var json = new LazyJson(body, options.Value.MaxJsonDepth);
        VerificationResult? verification = null;
        if (definition.HandshakePointer is { } handshake)
        {
            if (definition.HandshakeRequiresSignature)
            {
                verification = verifier.Verify(definition, body, Header, json.Get);
            }

            // Unsigned, only a body that names the handshake field is parsed at all.
            if ((verification is null || verification.Value.IsVerified) && (definition.HandshakeField.Length == 0 || body.AsSpan().IndexOf(definition.HandshakeField) >= 0)
                && json.Get() is { } root && handshake.Evaluate(root) is { ValueKind: JsonValueKind.String } token)
            {
                LogHandshake(logger, definition.Name);
                telemetry.Handshake(definition.Name);
                return Results.Text(token.GetString(), "text/plain; charset=utf-8", statusCode: StatusCodes.Status200OK);
            }
        }

        verification ??= verifier.Verify(definition, body, Header, json.Get);
        if (!verification.Value.IsVerified)
        {
            Reject(definition.Name, verification.Value.Code);
            return Problems.Unauthorized(verification.Value.Code, verification.Value.Detail!);
        }

        // The provider's own limit counts verified deliveries only, so unsigned floods cannot spend the vendor's budget.
        if (definition.RateLimiter is { } limiter)
        {
            using var lease = limiter.AttemptAcquire();
            if (!lease.IsAcquired)
            {
                Reject(definition.Name, "rate_limited");
                var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                return Problems.RateLimited(retryAfter);
            }
        }

        var trace = TraceContext.From(Header("traceparent"), Header("tracestate"));
        var webhook = WebhookMetadataExtractor.Extract(definition, body, json.Get(), Header, receivedAt, context.Request.ContentType, trace);

        // Once the producer has its copy of the record, nothing here refers to the body any more (not the JSON, not the
        // webhook): while Kafka acknowledges, an in-flight request holds that one copy only.
        json.Dispose();
        var answer = new AcceptedWebhook(webhook.EventId, webhook.KeySource);
        try
        {
            var delivery = await publisher.PublishAsync(webhook);
            LogAccepted(logger, definition.Name, answer.ProviderEventId, delivery.Partition.Value, delivery.Offset.Value);
            telemetry.Accepted(definition.Name);
            return new AcceptedResult(answer);
        }
        catch (KafkaException ex) when (ex.Error.Code is ErrorCode.MsgSizeTooLarge)
        {
            // Retrying cannot help: the cluster's record limit is below this body (see Kafka topic max.message.bytes).
            LogNotStored(logger, definition.Name, answer.ProviderEventId, ex.Error.Code);
            telemetry.Rejected(definition.Name, "body_too_large");
            return Problems.TooLarge(definition.MaxBodyBytes);
        }
        catch (KafkaException ex)
        {
            LogNotStored(logger, definition.Name, answer.ProviderEventId, ex.Error.Code);
            telemetry.Rejected(definition.Name, "storage_unavailable");
            return Problems.KafkaUnavailable(options.Value.RetryAfter);
        }
    }

    private void Reject(string provider, string reason)
    {
        LogRejected(logger, provider, reason);
        telemetry.Rejected(provider, reason);
    }

    /// <summary>The body bytes, or null when they exceed <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return null;
            }

            if (result.IsCompleted)
            {
                var body = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return body;
            }

            // Keep everything buffered until the body is complete.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>The body's JSON, parsed on first use (never, for a request whose signature fails), or null when it is not JSON.</summary>
    private sealed class LazyJson(byte[] body, int maxDepth) : IDisposable
    {
        private byte[]? _body = body;
        private JsonDocument? _document;
        private bool _parsed;

        public JsonElement? Get()
        {
            if (!_parsed && _body is { } utf8)
            {
                _parsed = true;
                try
                {
                    _document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = maxDepth });
                }
                catch (JsonException)
                {
                    _document = null;
                }
            }

            return _document?.RootElement;
        }

        /// <summary>Frees the parsed document and lets go of the body (Get returns null afterwards).</summary>
        public void Dispose()
        {
            _document?.Dispose();
            _document = null;
            _body = null;
        }
    }

    /// <summary>The 200 answer, serialized before it is written so that it goes out with a Content-Length, not chunked.</summary>
    private sealed class AcceptedResult(AcceptedWebhook answer) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(answer, IngressJson.Default.AcceptedWebhook);
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength = body.Length;
            return response.Body.WriteAsync(body, 0, body.Length, httpContext.RequestAborted);
        }
    }

    /// <summary>
    /// The 200 answer. ProviderEventId is the webhook's id as the rest of the system shows it: the raw and
    /// dead-letter records' event-id header, DocumentEvent.source.provider_event_id, and provider_event_id in the
    /// status API's history.
    /// </summary>
    public sealed record AcceptedWebhook(string ProviderEventId, string KeySource);

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Accepted {Provider} event {EventId} at partition {Partition} offset {Offset}")]
    private static partial void LogAccepted(ILogger logger, string provider, string eventId, int partition, long offset);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Rejected webhook from provider {Provider}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string provider, string reason);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Could not store {Provider} event {EventId} ({Code}); answered 503")]
    private static partial void LogNotStored(ILogger logger, string provider, string eventId, ErrorCode code);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "Answered a {Provider} verification handshake")]
    private static partial void LogHandshake(ILogger logger, string provider);
}

/// <summary>The ingress's own JSON answers, serialized without reflection (camelCase, as the web defaults).</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(WebhookHandler.AcceptedWebhook))]
internal sealed partial class IngressJson : System.Text.Json.Serialization.JsonSerializerContext;
