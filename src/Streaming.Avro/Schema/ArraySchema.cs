using System.Text.Json;

namespace Streaming.Avro;

/// <summary>An array type: a sequence of items of one schema.</summary>
public sealed class ArraySchema : AvroSchema
{
    internal ArraySchema(AvroSchema items, IReadOnlyDictionary<string, JsonElement>? properties)
        : base(properties)
    {
        Items = items;
    }

    public override AvroType Type => AvroType.Array;

    public AvroSchema Items { get; }
}
