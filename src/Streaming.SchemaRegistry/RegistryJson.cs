using System.Text.Json.Serialization;

namespace Streaming.SchemaRegistry;

// The REST API's JSON bodies as the endpoint reads and writes them.

internal sealed class SchemaRequest
{
    [JsonPropertyName("schema")]
    public string? Schema { get; set; }

    [JsonPropertyName("schemaType")]
    public string? SchemaType { get; set; }

    [JsonPropertyName("references")]
    public List<SchemaReference>? References { get; set; }
}

internal sealed class SchemaReference
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("subject")]
    public string? Subject { get; set; }

    [JsonPropertyName("version")]
    public int Version { get; set; }
}

internal sealed record RegisterResponse([property: JsonPropertyName("id")] int Id);

internal sealed record SchemaByIdResponse([property: JsonPropertyName("schema")] string Schema)
{
    [JsonPropertyName("schemaType")]
    public string? SchemaType { get; init; }
}

internal sealed record CompatibilityResponse([property: JsonPropertyName("is_compatible")] bool IsCompatible)
{
    [JsonPropertyName("messages")]
    public IReadOnlyList<string>? Messages { get; init; }
}

internal sealed record ConfigResponse([property: JsonPropertyName("compatibilityLevel")] string? CompatibilityLevel);

internal sealed record ConfigUpdate([property: JsonPropertyName("compatibility")] string? Compatibility);

internal sealed record ErrorResponse(
    [property: JsonPropertyName("error_code")] int ErrorCode,
    [property: JsonPropertyName("message")] string? Message);

internal sealed record EmptyResponse;

internal sealed record ModeBody([property: JsonPropertyName("mode")] string? Mode);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SchemaRequest))]
[JsonSerializable(typeof(RegisterResponse))]
[JsonSerializable(typeof(SchemaByIdResponse))]
[JsonSerializable(typeof(RegisteredSchema))]
[JsonSerializable(typeof(CompatibilityResponse))]
[JsonSerializable(typeof(ConfigResponse))]
[JsonSerializable(typeof(ConfigUpdate))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(EmptyResponse))]
[JsonSerializable(typeof(ModeBody))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(IReadOnlyList<int>))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;

/// <summary>The registry's media types.</summary>
public static class SchemaRegistryMediaTypes
{
    public const string V1Json = "application/vnd.schemaregistry.v1+json";
    public const string Json = "application/vnd.schemaregistry+json";
    public const string PlainJson = "application/json";

    internal static bool IsAccepted(string? mediaType) =>
        mediaType is null
        || string.Equals(mediaType, V1Json, StringComparison.OrdinalIgnoreCase)
        || string.Equals(mediaType, Json, StringComparison.OrdinalIgnoreCase)
        || string.Equals(mediaType, PlainJson, StringComparison.OrdinalIgnoreCase);
}
