using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Streaming.Status.Api;

/// <summary>
/// ASP.NET Core authentication for the status API: <c>authorization: Bearer &lt;token&gt;</c> checked against the
/// configured tokens (Grpc:BearerTokens). Tokens are compared as SHA-256 digests in constant time, every configured
/// token each time, so neither content nor length leaks through timing.
/// </summary>
public sealed class BearerTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    BearerTokenDigests tokens) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "StatusApiBearer";
    private const string Bearer = "Bearer ";
    private const string FailureKey = "status-api-auth-failure";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var failure = Check(Request.Headers.Authorization.ToString());
        if (failure is not null)
        {
            Context.Items[FailureKey] = failure;
            return Task.FromResult(AuthenticateResult.Fail(failure));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "api-client")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    /// <summary>gRPC callers get UNAUTHENTICATED with the reason (trailers-only); JSON callers a 401 problem.</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var reason = Context.Items[FailureKey] as string ?? "missing 'authorization' header; send 'authorization: Bearer <token>'";
        Response.Headers.WWWAuthenticate = "Bearer";
        if (Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
        {
            Response.StatusCode = StatusCodes.Status200OK;
            Response.ContentType = "application/grpc";
            Response.Headers["grpc-status"] = "16";
            Response.Headers["grpc-message"] = Uri.EscapeDataString(reason);
            return;
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        await Response.WriteAsJsonAsync(new { code = 16, message = reason, details = Array.Empty<object>() });
    }

    /// <summary>Null when accepted, else the reason to tell the client (it never contains the token).</summary>
    private string? Check(string authorization)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            return "missing 'authorization' header; send 'authorization: Bearer <token>'";
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
}

/// <summary>The configured tokens' SHA-256 digests, computed once (the handler itself is created per request).</summary>
public sealed class BearerTokenDigests(IOptions<StatusApiOptions> api)
{
    public IReadOnlyList<byte[]> Digests { get; } = api.Value.BearerTokens.Select(t => SHA256.HashData(Encoding.UTF8.GetBytes(t))).ToArray();
}
