using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Streaming.Status.Api;

/// <summary>
/// ASP.NET Core authentication for the status API: <c>authorization: Bearer &lt;token&gt;</c> checked against the
/// configured tokens (Grpc:BearerTokens). Tokens are compared as SHA-256 digests in constant time, every configured
/// token each time, so neither content nor length leaks through timing.
/// A plain <see cref="IAuthenticationHandler"/> (resolved from DI per request) rather than the AuthenticationHandler
/// base class, which builds a logger and reads options on every request: a protected call's authentication was 17 %
/// of its CPU that way.
/// </summary>
public sealed partial class BearerTokenAuthenticationHandler(BearerTokenDigests tokens, ILogger<BearerTokenAuthenticationHandler> logger) : IAuthenticationHandler
{
    public const string SchemeName = "StatusApiBearer";
    private const string Bearer = "Bearer ";
    private const string FailureKey = "status-api-auth-failure";
    private const string Missing = "missing 'authorization' header; send 'authorization: Bearer <token>'";

    // Who an accepted caller is: the same for every call (nothing in the pipeline changes a principal).
    private static readonly ClaimsPrincipal ApiClient = new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "api-client")], SchemeName));

    private HttpContext _context = null!;

    public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context)
    {
        _context = context;
        return Task.CompletedTask;
    }

    public Task<AuthenticateResult> AuthenticateAsync()
    {
        var failure = Check(_context.Request.Headers.Authorization.ToString());
        if (failure is not null)
        {
            _context.Items[FailureKey] = failure;
            LogRejected(logger, failure);
            return Task.FromResult(AuthenticateResult.Fail(failure));
        }

        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(ApiClient, SchemeName)));
    }

    /// <summary>gRPC callers get UNAUTHENTICATED with the reason (trailers-only); JSON callers a 401 problem.</summary>
    public async Task ChallengeAsync(AuthenticationProperties? properties)
    {
        var reason = _context.Items[FailureKey] as string ?? Missing;
        var response = _context.Response;
        response.Headers.WWWAuthenticate = "Bearer";
        if (ApiMetricsInterceptor.IsGrpc(_context.Request))
        {
            AnswerGrpc("16", reason);
            return;
        }

        response.StatusCode = StatusCodes.Status401Unauthorized;
        await response.WriteAsJsonAsync(new { code = 16, message = reason, details = Array.Empty<object>() });
    }

    /// <summary>Not reached (an accepted token may call every method); answered as PERMISSION_DENIED / 403 all the same.</summary>
    public Task ForbidAsync(AuthenticationProperties? properties)
    {
        if (ApiMetricsInterceptor.IsGrpc(_context.Request))
        {
            AnswerGrpc("7", null);
        }
        else
        {
            _context.Response.StatusCode = StatusCodes.Status403Forbidden;
        }

        return Task.CompletedTask;
    }

    /// <summary>A trailers-only gRPC answer: HTTP 200 with grpc-status (and grpc-message) in the headers.</summary>
    private void AnswerGrpc(string status, string? message)
    {
        var response = _context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = status;
        if (message is not null)
        {
            response.Headers["grpc-message"] = Uri.EscapeDataString(message);
        }
    }

    /// <summary>Null when accepted, else the reason to tell the client (it never contains the token).</summary>
    private string? Check(string authorization)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            return Missing;
        }

        if (!authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            return "'authorization' must use the Bearer scheme: 'Bearer <token>'";
        }

        var presented = authorization.AsSpan(Bearer.Length).Trim();
        if (presented.IsEmpty)
        {
            return "'authorization' has an empty bearer token";
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented.ToString()), digest);
        var match = false;
        foreach (var expected in tokens.Digests)
        {
            match |= CryptographicOperations.FixedTimeEquals(expected, digest);
        }

        return match ? null : "the bearer token is not accepted by this server";
    }

    [LoggerMessage(EventId = 250, Level = LogLevel.Debug, Message = "Status API call not authenticated: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason);
}

/// <summary>The configured tokens' SHA-256 digests, computed once (the handler itself is created per request).</summary>
public sealed class BearerTokenDigests(IOptions<StatusApiOptions> api)
{
    public IReadOnlyList<byte[]> Digests { get; } = api.Value.BearerTokens.Select(t => SHA256.HashData(Encoding.UTF8.GetBytes(t))).ToArray();
}
