using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Streaming.Grpc;

/// <summary>
/// Runs one gRPC call of one method: protocol checks (HTTP/2, content-type, encoding),
/// authentication, deadline, the handler, and the mapping of its outcome to a gRPC status.
/// </summary>
internal sealed class GrpcCallDispatcher
{
    private const string HealthServiceName = "grpc.health.v1.Health";

    // Longer deadlines are treated as none: CancellationTokenSource cannot wait ~50 days and
    // DateTimeOffset cannot hold 99999999H from now.
    private static readonly TimeSpan LongestTimer = TimeSpan.FromDays(30);

    private readonly GrpcMethodHandler _handler;
    private readonly GrpcServerOptions _options;
    private readonly BearerTokenAuthenticator _authenticator;
    private readonly IHostApplicationLifetime? _lifetime;
    private readonly ILogger _logger;
    private readonly string _path;
    private readonly bool _requiresAuthentication;

    public GrpcCallDispatcher(
        GrpcMethodHandler handler,
        GrpcServerOptions options,
        BearerTokenAuthenticator authenticator,
        IHostApplicationLifetime? lifetime,
        ILogger logger)
    {
        _handler = handler;
        _options = options;
        _authenticator = authenticator;
        _lifetime = lifetime;
        _logger = logger;
        _path = GrpcServiceBinder.PathOf(handler.Method);
        // Health stays open so that probes and load balancers need no credentials.
        _requiresAuthentication = authenticator.Enabled && handler.Method.Service.FullName != HealthServiceName;
    }

    public async Task InvokeAsync(HttpContext http)
    {
        if (!HttpProtocol.IsHttp2(http.Request.Protocol))
        {
            http.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            http.Response.Headers.Upgrade = "h2c";
            await http.Response.WriteAsync("gRPC requires HTTP/2.", http.RequestAborted);
            return;
        }

        if (!GrpcProtocol.IsGrpcContentType(http.Request.ContentType))
        {
            http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            http.Response.Headers.Accept = GrpcProtocol.ContentType;
            return;
        }

        // Our own per-message limit applies; Kestrel's body size limit and minimum data rate would
        // cut long-lived streams (watch, reflection) that legitimately stay idle.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } maxBody)
        {
            maxBody.MaxRequestBodySize = null;
        }

        if (http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } minRate)
        {
            minRate.MinDataRate = null;
        }

        var call = new GrpcServerCall(http, _options.MaxReceiveMessageSize, _options.MaxSendMessageSize);
        using var deadline = new CancellationTokenSource();
        var stopping = _lifetime?.ApplicationStopping ?? CancellationToken.None;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, deadline.Token, stopping);
        TimeSpan? timeout = null;
        try
        {
            var rejection = CheckRequestHeaders(http, out timeout);
            if (rejection is not null)
            {
                throw rejection;
            }

            DateTimeOffset? deadlineAt = null;
            if (timeout is { } t && t <= LongestTimer)
            {
                if (t <= TimeSpan.Zero)
                {
                    // CancelAfter(0) fires on a timer thread, possibly after a fast handler finished.
                    await deadline.CancelAsync();
                    throw new OperationCanceledException(deadline.Token);
                }

                deadlineAt = DateTimeOffset.UtcNow + t;
                deadline.CancelAfter(t);
            }

            var context = new GrpcCallContext(http, _handler.Method, deadlineAt, linked.Token) { Call = call };
            await _handler.HandleAsync(call, context);
            await call.CompleteAsync(StatusCode.OK, null);
        }
        catch (Exception) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client cancelled or went away: the stream is reset, nobody reads a status.
            Log.CallCancelled(_logger, _path);
        }
        catch (Exception) when (deadline.IsCancellationRequested)
        {
            // Whatever the handler threw once its deadline passed, the cause is the deadline.
            Log.DeadlineExceeded(_logger, _path, timeout ?? TimeSpan.Zero);
            await CompleteQuietlyAsync(call, StatusCode.DeadlineExceeded, "deadline exceeded");
        }
        catch (GrpcException ex)
        {
            Log.CallFailed(_logger, _path, ex.StatusCode, ex.Message);
            await CompleteQuietlyAsync(call, ex.StatusCode, ex.Message);
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            Log.ServerStopping(_logger, _path);
            await CompleteQuietlyAsync(call, StatusCode.Unavailable, "the server is shutting down; retry on another instance");
        }
        catch (Exception ex)
        {
            Log.UnhandledException(_logger, _path, ex);
            await CompleteQuietlyAsync(call, StatusCode.Internal, "internal server error");
        }
    }

    private GrpcException? CheckRequestHeaders(HttpContext http, out TimeSpan? timeout)
    {
        timeout = null;
        var headers = http.Request.Headers;
        var encoding = headers[GrpcProtocol.EncodingHeader].ToString();
        if (encoding.Length > 0 && !string.Equals(encoding, GrpcProtocol.IdentityEncoding, StringComparison.OrdinalIgnoreCase))
        {
            Log.ProtocolViolation(_logger, _path, "unsupported grpc-encoding");
            return new GrpcException(StatusCode.Unimplemented,
                $"grpc-encoding '{Truncate(encoding)}' is not supported; this server accepts identity only");
        }

        if (_requiresAuthentication)
        {
            var reason = _authenticator.Check(headers.Authorization.ToString());
            if (reason is not null)
            {
                Log.Unauthenticated(_logger, _path, http.Connection.RemoteIpAddress?.ToString(), reason);
                return new GrpcException(StatusCode.Unauthenticated, reason);
            }
        }

        var timeoutHeader = headers[GrpcProtocol.TimeoutHeader].ToString();
        if (timeoutHeader.Length > 0)
        {
            if (!GrpcTimeout.TryParse(timeoutHeader, out var parsed))
            {
                Log.ProtocolViolation(_logger, _path, "malformed grpc-timeout");
                return new GrpcException(StatusCode.Internal,
                    string.Create(CultureInfo.InvariantCulture, $"malformed grpc-timeout '{Truncate(timeoutHeader)}': expected 1-8 digits and a unit (H, M, S, m, u, n)"));
            }

            timeout = parsed;
        }

        return null;
    }

    private static string Truncate(string value) => value.Length <= 16 ? value : value[..16] + "...";

    private async Task CompleteQuietlyAsync(GrpcServerCall call, StatusCode status, string message)
    {
        try
        {
            await call.CompleteAsync(status, message);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The stream is already gone; there is nobody left to tell.
            Log.CallCancelled(_logger, _path);
        }
    }
}
