using System.Text.Json.Serialization;

namespace Streaming.SchemaRegistry;

/// <summary>One version of a subject: the registry's answer to "latest", "version N" and lookup.</summary>
public sealed record RegisteredSchema(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("schema")] string Schema)
{
    /// <summary>AVRO, JSON or PROTOBUF; Confluent omits it for AVRO.</summary>
    [JsonPropertyName("schemaType")]
    public string? SchemaType { get; init; }
}
