using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Streaming.Avro;

/// <summary>Decodes Avro binary data written with one schema into the generic data model of a (possibly different) reader schema.</summary>
public static class AvroDeserializer
{
    // Resolution is worked out once per (writer, reader) pair of schema objects and kept while the writer schema lives.
    private static readonly ConditionalWeakTable<AvroSchema, ConcurrentDictionary<AvroSchema, ReadPlan>> Plans = [];

    /// <summary>Reads one datum that must fill <paramref name="data"/> exactly.</summary>
    /// <exception cref="AvroResolutionException">The writer's data cannot be read with the reader schema.</exception>
    /// <exception cref="InvalidDataException">The data is malformed or has bytes left over (often a wrong writer schema).</exception>
    public static object? Deserialize(ReadOnlySpan<byte> data, AvroSchema writerSchema, AvroSchema readerSchema)
    {
        var reader = new AvroBinaryReader(data);
        object? datum = Deserialize(ref reader, writerSchema, readerSchema);
        if (!reader.IsAtEnd)
        {
            throw new InvalidDataException($"{reader.Remaining} bytes left after the datum; is the writer schema the one the data was written with?");
        }

        return datum;
    }

    public static object? Deserialize(ReadOnlyMemory<byte> data, AvroSchema writerSchema, AvroSchema readerSchema) =>
        Deserialize(data.Span, writerSchema, readerSchema);

    /// <summary>Reads data with the schema it was written with.</summary>
    public static object? Deserialize(ReadOnlySpan<byte> data, AvroSchema schema) => Deserialize(data, schema, schema);

    /// <summary>Reads one datum from a reader positioned on it, leaving the reader after it.</summary>
    public static object? Deserialize(ref AvroBinaryReader reader, AvroSchema writerSchema, AvroSchema readerSchema)
    {
        ArgumentNullException.ThrowIfNull(writerSchema);
        ArgumentNullException.ThrowIfNull(readerSchema);
        ReadPlan plan = Plans.GetValue(writerSchema, _ => new ConcurrentDictionary<AvroSchema, ReadPlan>(ReferenceEqualityComparer.Instance))
            .GetOrAdd(readerSchema, (reader, writer) => new ResolutionPlanner().Plan(writer, reader, string.Empty), writerSchema);
        return plan.Read(ref reader);
    }
}
