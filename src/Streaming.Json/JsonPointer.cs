using System.Globalization;
using System.Text.Json;

namespace Streaming.Json;

/// <summary>An RFC 6901 JSON pointer ("/data/document_id"), parsed once and evaluated on parsed payloads.</summary>
public sealed class JsonPointer
{
    private readonly string[] _tokens;

    private JsonPointer(string text, string[] tokens)
    {
        Text = text;
        _tokens = tokens;
    }

    public string Text { get; }

    /// <summary>Parses a pointer; throws <see cref="FormatException"/> when it does not start with '/'.</summary>
    public static JsonPointer Parse(string text)
    {
        if (text.Length == 0 || text[0] != '/')
        {
            throw new FormatException($"'{text}' is not a JSON pointer (it must start with '/')");
        }

        var tokens = text[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        return new JsonPointer(text, tokens);
    }

    /// <summary>The element at the pointer, or null when a step is missing.</summary>
    public JsonElement? Evaluate(JsonElement root)
    {
        var current = root;
        foreach (var token in _tokens)
        {
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(token, out var child))
            {
                current = child;
            }
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else
            {
                return null;
            }
        }

        return current;
    }

    /// <summary>A string, number or boolean at the pointer as text; null for missing, null, empty, objects and arrays.</summary>
    public string? Scalar(JsonElement root) => Evaluate(root) is { } element ? ScalarText(element) : null;

    /// <summary>The first of the pointers naming a scalar, as text (see <see cref="Scalar"/>).</summary>
    public static string? FirstScalar(IEnumerable<JsonPointer> pointers, JsonElement? root)
    {
        if (root is not { } element)
        {
            return null;
        }

        foreach (var pointer in pointers)
        {
            if (pointer.Scalar(element) is { } text)
            {
                return text;
            }
        }

        return null;
    }

    public static string? ScalarText(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString() is { Length: > 0 } s ? s : null,
        JsonValueKind.Number => element.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    public override string ToString() => Text;
}
