using System.Text.Json;

namespace Streaming.Avro;

/// <summary>A fixed type: exactly <see cref="Size"/> bytes, optionally a decimal.</summary>
public sealed class FixedSchema : NamedSchema
{
    internal FixedSchema(string name, string? @namespace, IReadOnlyList<string> aliases, string? doc, int size, LogicalType? logicalType, IReadOnlyDictionary<string, JsonElement>? properties)
        : base(name, @namespace, aliases, doc, properties)
    {
        Size = size;
        LogicalType = logicalType;
    }

    public override AvroType Type => AvroType.Fixed;

    public int Size { get; }

    /// <summary>The recognised logical type (only decimal applies to fixed), or null.</summary>
    public LogicalType? LogicalType { get; }
}
