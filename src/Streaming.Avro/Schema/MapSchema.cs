using System.Text.Json;

namespace Streaming.Avro;

/// <summary>A map type: string keys to values of one schema.</summary>
public sealed class MapSchema : AvroSchema
{
    internal MapSchema(AvroSchema values, IReadOnlyDictionary<string, JsonElement>? properties)
        : base(properties)
    {
        Values = values;
    }

    public override AvroType Type => AvroType.Map;

    public AvroSchema Values { get; }
}
