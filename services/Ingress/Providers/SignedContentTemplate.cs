using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Streaming.Ingress.Providers;

/// <summary>The bytes a provider signs, built from a template such as "{timestamp}.{body}".</summary>
public sealed class SignedContentTemplate
{
    private enum PartKind
    {
        Literal,
        Body,
        BodySha256,
        Timestamp,
        Id,
    }

    private readonly (PartKind Kind, byte[] Literal)[] _parts;

    private SignedContentTemplate((PartKind, byte[])[] parts, string text)
    {
        _parts = parts;
        Text = text;
        UsesTimestamp = parts.Any(p => p.Item1 == PartKind.Timestamp);
        UsesId = parts.Any(p => p.Item1 == PartKind.Id);
    }

    public string Text { get; }

    public bool UsesTimestamp { get; }

    public bool UsesId { get; }

    /// <summary>
    /// Parses one or more templates separated by '|' (a vendor whose own documentation allows two
    /// readings of what it signs: a signature valid under any of them is accepted); throws
    /// <see cref="FormatException"/> naming the bad placeholder.
    /// </summary>
    public static IReadOnlyList<SignedContentTemplate> ParseAlternatives(string templates)
    {
        var result = templates.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Parse).ToList();
        if (result.Count == 0)
        {
            throw new FormatException("the signed content template is empty");
        }

        if (result.DistinctBy(t => t.Text, StringComparer.Ordinal).Count() != result.Count)
        {
            throw new FormatException($"\"{templates}\" names the same template twice");
        }

        return result;
    }

    /// <summary>Parses a template; throws <see cref="FormatException"/> naming the bad placeholder.</summary>
    public static SignedContentTemplate Parse(string template)
    {
        var parts = new List<(PartKind, byte[])>();
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            if (open < 0)
            {
                parts.Add((PartKind.Literal, Encoding.UTF8.GetBytes(template[i..])));
                break;
            }

            if (open > i)
            {
                parts.Add((PartKind.Literal, Encoding.UTF8.GetBytes(template[i..open])));
            }

            var close = template.IndexOf('}', open);
            if (close < 0)
            {
                throw new FormatException($"unclosed '{{' in signed content template \"{template}\"");
            }

            var name = template[(open + 1)..close];
            var kind = name switch
            {
                "body" => PartKind.Body,
                "body-sha256" => PartKind.BodySha256,
                "timestamp" => PartKind.Timestamp,
                "id" => PartKind.Id,
                _ => throw new FormatException($"unknown placeholder {{{name}}} in signed content template (use {{body}}, {{body-sha256}}, {{timestamp}}, {{id}})"),
            };
            parts.Add((kind, []));
            i = close + 1;
        }

        if (!parts.Any(p => p.Item1 is PartKind.Body or PartKind.BodySha256))
        {
            throw new FormatException($"signed content template \"{template}\" does not include the body");
        }

        return new SignedContentTemplate([.. parts], template);
    }

    /// <summary>Writes the signed bytes for one request.</summary>
    public void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> body, string? timestamp, string? id)
    {
        foreach (var (kind, literal) in _parts)
        {
            switch (kind)
            {
                case PartKind.Literal:
                    output.Write(literal);
                    break;
                case PartKind.Body:
                    output.Write(body);
                    break;
                case PartKind.BodySha256:
                    SHA256.HashData(body, output.GetSpan(SHA256.HashSizeInBytes));
                    output.Advance(SHA256.HashSizeInBytes);
                    break;
                case PartKind.Timestamp:
                    WriteUtf8(output, timestamp);
                    break;
                case PartKind.Id:
                    WriteUtf8(output, id);
                    break;
            }
        }
    }

    /// <summary>Whether the signed content is the body alone (no copy needed).</summary>
    public bool IsBodyOnly => _parts.Length == 1 && _parts[0].Kind == PartKind.Body;

    private static void WriteUtf8(IBufferWriter<byte> output, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            Encoding.UTF8.GetBytes(value, output);
        }
    }
}
