using System.Text.Json;

namespace Streaming.Avro;

/// <summary>One of the eight primitive types, optionally annotated with a recognised logical type.</summary>
public sealed class PrimitiveSchema : AvroSchema
{
    internal PrimitiveSchema(AvroType type, LogicalType? logicalType = null, IReadOnlyDictionary<string, JsonElement>? properties = null)
        : base(properties)
    {
        if (type > AvroType.String)
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Not a primitive type.");
        }

        Type = type;
        LogicalType = logicalType;
    }

    public override AvroType Type { get; }

    /// <summary>The recognised logical type, or null (unknown or invalid ones are ignored, as the spec requires).</summary>
    public LogicalType? LogicalType { get; }
}
