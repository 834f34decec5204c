using System.Security.Cryptography;
using System.Text;

namespace Streaming.Grpc;

/// <summary>
/// Checks <c>authorization: Bearer &lt;token&gt;</c> against the configured tokens in constant time.
/// Tokens are compared as SHA-256 digests so that neither content nor length leaks through timing,
/// and every configured token is compared, whichever matches.
/// </summary>
internal sealed class BearerTokenAuthenticator
{
    private const string Scheme = "Bearer ";
    private readonly byte[][] _tokenDigests;

    public BearerTokenAuthenticator(IEnumerable<string> tokens)
    {
        _tokenDigests = tokens.Select(t => SHA256.HashData(Encoding.UTF8.GetBytes(t))).ToArray();
    }

    public bool Enabled => _tokenDigests.Length > 0;

    /// <summary>Null when accepted, else the reason to tell the client (it never contains the token).</summary>
    public string? Check(string? authorization)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            return "missing 'authorization' metadata; send 'authorization: Bearer <token>'";
        }

        if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return "'authorization' metadata must use the Bearer scheme: 'Bearer <token>'";
        }

        var presented = authorization.AsSpan(Scheme.Length).Trim();
        if (presented.IsEmpty)
        {
            return "'authorization' metadata has an empty bearer token";
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        var bytes = Encoding.UTF8.GetBytes(presented.ToString());
        SHA256.HashData(bytes, digest);
        var match = false;
        foreach (var expected in _tokenDigests)
        {
            match |= CryptographicOperations.FixedTimeEquals(expected, digest);
        }

        return match ? null : "the bearer token is not accepted by this server";
    }
}
