using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Streaming.Status.Projection;
using Streaming.Status.Store;

namespace Streaming.Status.Api;

/// <summary>
/// Opaque page tokens: base64url of a versioned keyset cursor bound to the request it continues (the document, or
/// the filters), so a token from another request or a hand-edited one is INVALID_ARGUMENT, never a wrong page.
/// </summary>
internal static class PageTokens
{
    private const byte Version = 1;
    private const byte EventsKind = 1;
    private const byte DocumentsKind = 2;
    private const string Invalid = "page_token is not one this server issued for this request; pass next_page_token unchanged, with the same document_token and filters";

    public static string ForEvents(string documentToken, FoldKey last)
    {
        using var buffer = new MemoryStream();
        using (var writer = Header(buffer, EventsKind, documentToken))
        {
            writer.Write(last.OccurredAtMs);
            writer.Write(last.ReceivedAtMs);
            writer.Write(last.EventId);
        }

        return Base64Url(buffer.ToArray());
    }

    public static FoldKey? ParseEvents(string pageToken, string documentToken) =>
        pageToken.Length == 0 ? null : Parse(pageToken, EventsKind, documentToken, r => new FoldKey(r.ReadInt64(), r.ReadInt64(), r.ReadString()));

    public static string ForDocuments(string filters, DocumentCursor last)
    {
        using var buffer = new MemoryStream();
        using (var writer = Header(buffer, DocumentsKind, filters))
        {
            writer.Write(last.UpdatedAtMs);
            writer.Write(last.DocumentToken);
        }

        return Base64Url(buffer.ToArray());
    }

    public static DocumentCursor? ParseDocuments(string pageToken, string filters) =>
        pageToken.Length == 0 ? null : Parse(pageToken, DocumentsKind, filters, r => new DocumentCursor(r.ReadInt64(), r.ReadString()));

    private static BinaryWriter Header(Stream buffer, byte kind, string scope)
    {
        var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true);
        writer.Write(Version);
        writer.Write(kind);
        writer.Write(Fingerprint(scope));
        return writer;
    }

    private static T Parse<T>(string pageToken, byte kind, string scope, Func<BinaryReader, T> read)
        where T : struct
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(FromBase64Url(pageToken)), Encoding.UTF8);
            if (reader.ReadByte() != Version || reader.ReadByte() != kind || reader.ReadInt64() != Fingerprint(scope))
            {
                throw DocumentStatusGrpcService.Error(StatusCode.InvalidArgument, Invalid);
            }

            var value = read(reader);
            return reader.BaseStream.Position == reader.BaseStream.Length ? value : throw DocumentStatusGrpcService.Error(StatusCode.InvalidArgument, Invalid);
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException or IOException or ArgumentException)
        {
            throw DocumentStatusGrpcService.Error(StatusCode.InvalidArgument, Invalid);
        }
    }

    private static long Fingerprint(string scope) => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(scope)), 0);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }
}
