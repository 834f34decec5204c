using System.Text;
using Streaming.Testing;

namespace Streaming.Ingress.Tests;

/// <summary>Signs test requests with tools independent of the code under test: Python's hmac and openssl.</summary>
public static class ExternalSigner
{
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "tools", "sign.py");
    private static readonly Lazy<RsaKeyPair> Primary = new(() => RsaKeyPair.Generate());
    private static readonly Lazy<RsaKeyPair> Secondary = new(() => RsaKeyPair.Generate());

    /// <summary>HMAC-SHA256 with a UTF-8 text secret, hex or base64.</summary>
    public static string HmacText(string secret, byte[] content, bool hex) =>
        ExternalProcess.Run(ExternalProcess.DebianPython, [Script, "hmac", "text:" + secret, hex ? "hex" : "base64"], content);

    /// <summary>HMAC-SHA256 with a base64 key, base64 output (Standard Webhooks).</summary>
    public static string HmacBase64Key(string base64Key, byte[] content) =>
        ExternalProcess.Run(ExternalProcess.DebianPython, [Script, "hmac", "b64:" + base64Key, "base64"], content);

    /// <summary>An RSA key pair made by openssl (2048 bits).</summary>
    public static RsaKeyPair RsaPrimary => Primary.Value;

    public static RsaKeyPair RsaSecondary => Secondary.Value;

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}

/// <summary>A key pair in PEM files, with openssl signing RSA PKCS#1 v1.5 SHA-256.</summary>
public sealed class RsaKeyPair
{
    private RsaKeyPair(string privateKeyPath, string publicKeyPem)
    {
        PrivateKeyPath = privateKeyPath;
        PublicKeyPem = publicKeyPem;
    }

    public string PrivateKeyPath { get; }

    public string PublicKeyPem { get; }

    public static RsaKeyPair Generate()
    {
        var dir = Directory.CreateTempSubdirectory("ingress-rsa-").FullName;
        var key = Path.Combine(dir, "private.pem");
        ExternalProcess.Run("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key]);
        var pub = ExternalProcess.Run("openssl", ["pkey", "-in", key, "-pubout"]);
        return new RsaKeyPair(key, pub);
    }

    /// <summary>
    /// Base64 RSA-SHA256 signature over the body's SHA-256 digest (the reading of Instnt's Node sample), made by
    /// openssl: the digest with dgst -binary, then signed like any content.
    /// </summary>
    public string SignDigest(byte[] body) => Sign(Convert.FromHexString(ExternalProcess.Run("openssl", ["dgst", "-sha256", "-r"], body)[..64]));

    /// <summary>Base64 signature made by Instnt's Node sample code run in reverse by node ("digest" or "body").</summary>
    public string SignWithNode(string reading, byte[] body) =>
        ExternalProcess.Run("node", [Path.Combine(AppContext.BaseDirectory, "tools", "instnt_node_sample.js"), reading, PrivateKeyPath], body);

    /// <summary>Base64 signature of the content (openssl dgst -sha256 -sign: PKCS#1 v1.5).</summary>
    public string Sign(byte[] content)
    {
        var output = Path.GetTempFileName();
        try
        {
            ExternalProcess.Run("openssl", ["dgst", "-sha256", "-sign", PrivateKeyPath, "-out", output], content);
            return Convert.ToBase64String(File.ReadAllBytes(output));
        }
        finally
        {
            File.Delete(output);
        }
    }
}
