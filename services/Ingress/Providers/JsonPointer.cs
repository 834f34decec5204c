using System.Globalization;
using System.Text.Json;

namespace Streaming.Ingress.Providers;

/// <summary>An RFC 6901 JSON pointer ("/data/document_id"), parsed once.</summary>
public sealed class JsonPointer
{
    private readonly string[] _segments;

    private JsonPointer(string text, string[] segments)
    {
        Text = text;
        _segments = segments;
    }

    public string Text { get; }

    public static JsonPointer Parse(string text)
    {
        if (text.Length == 0)
        {
            return new JsonPointer(text, []);
        }

        if (text[0] != '/')
        {
            throw new FormatException($"JSON pointer \"{text}\" must start with '/'");
        }

        var segments = text[1..].Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        return new JsonPointer(text, segments);
    }

    /// <summary>The element the pointer names, or null when it names nothing.</summary>
    public JsonElement? Evaluate(JsonElement root)
    {
        var current = root;
        foreach (var segment in _segments)
        {
            switch (current.ValueKind)
            {
                case JsonValueKind.Object when current.TryGetProperty(segment, out var child):
                    current = child;
                    break;
                case JsonValueKind.Array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < current.GetArrayLength():
                    current = current[index];
                    break;
                default:
                    return null;
            }
        }

        return current;
    }

    /// <summary>The first pointer naming a non-empty string or a number, as text.</summary>
    public static string? FirstScalar(IReadOnlyList<JsonPointer> pointers, JsonElement? root)
    {
        if (root is not { } element)
        {
            return null;
        }

        foreach (var pointer in pointers)
        {
            var value = pointer.Evaluate(element);
            switch (value?.ValueKind)
            {
                case JsonValueKind.String when value.Value.GetString() is { Length: > 0 } text:
                    return text;
                case JsonValueKind.Number:
                    return value.Value.GetRawText();
            }
        }

        return null;
    }

    public override string ToString() => Text;
}
