using System.Text.Json;

namespace Streaming.Avro;

/// <summary>
/// How to read one writer schema as one reader schema, worked out once per schema pair.
/// Mismatches become plans that throw only when data reaches them (as the spec wants for union branches
/// that are never written), and that <see cref="SchemaCompatibility"/> lists without any data.
/// </summary>
internal abstract class ReadPlan
{
    public abstract object? Read(ref AvroBinaryReader reader);

    /// <summary>The plans this one reads through, for the static walk of <see cref="SchemaCompatibility"/>.</summary>
    public virtual IEnumerable<ReadPlan> Children => [];

    /// <summary>What would fail on some data: the static compatibility messages.</summary>
    public virtual IEnumerable<string> Problems => [];
}

internal sealed class ErrorPlan(string message) : ReadPlan
{
    public override object? Read(ref AvroBinaryReader reader) => throw new AvroResolutionException(message);

    public override IEnumerable<string> Problems => [message];
}

/// <summary>Primitives, with the spec's promotions; bytes and string read each other since both are length-prefixed.</summary>
internal sealed class PrimitivePlan(AvroType writerType, PrimitiveSchema reader) : ReadPlan
{
    public override object? Read(ref AvroBinaryReader r)
    {
        object? raw = (writerType, reader.Type) switch
        {
            (AvroType.Null, _) => null,
            (AvroType.Boolean, _) => r.ReadBoolean(),
            (AvroType.Int, AvroType.Int) => r.ReadInt(),
            (AvroType.Int, AvroType.Long) => (long)r.ReadInt(),
            (AvroType.Int, AvroType.Float) => (float)r.ReadInt(),
            (AvroType.Int, AvroType.Double) => (double)r.ReadInt(),
            (AvroType.Long, AvroType.Long) => r.ReadLong(),
            (AvroType.Long, AvroType.Float) => (float)r.ReadLong(),
            (AvroType.Long, AvroType.Double) => (double)r.ReadLong(),
            (AvroType.Float, AvroType.Float) => r.ReadFloat(),
            (AvroType.Float, AvroType.Double) => (double)r.ReadFloat(),
            (AvroType.Double, _) => r.ReadDouble(),
            (AvroType.Bytes or AvroType.String, AvroType.String) => r.ReadString(),
            (AvroType.Bytes or AvroType.String, AvroType.Bytes) => r.ReadBytes(),
            _ => throw new InvalidOperationException($"No promotion from {writerType} to {reader.Type}"),
        };
        return LogicalValues.FromRaw(reader, raw);
    }

    public static bool CanRead(AvroType writer, AvroType reader) => writer == reader || (writer, reader) switch
    {
        (AvroType.Int, AvroType.Long or AvroType.Float or AvroType.Double) => true,
        (AvroType.Long, AvroType.Float or AvroType.Double) => true,
        (AvroType.Float, AvroType.Double) => true,
        (AvroType.String, AvroType.Bytes) or (AvroType.Bytes, AvroType.String) => true,
        _ => false,
    };
}

internal sealed class FixedPlan(FixedSchema reader) : ReadPlan
{
    public override object? Read(ref AvroBinaryReader r) =>
        LogicalValues.FromRaw(reader, new GenericFixed(reader, r.ReadFixed(reader.Size)));
}

internal sealed class EnumPlan : ReadPlan
{
    private readonly EnumSchema writer;
    private readonly GenericEnum?[] readerValues;
    private readonly string?[] errors;

    public EnumPlan(EnumSchema writer, EnumSchema reader, string path)
    {
        this.writer = writer;
        readerValues = new GenericEnum?[writer.Symbols.Count];
        errors = new string?[writer.Symbols.Count];
        for (int i = 0; i < writer.Symbols.Count; i++)
        {
            string symbol = writer.Symbols[i];
            string? readerSymbol = reader.IndexOf(symbol) >= 0 ? symbol : reader.Default;
            if (readerSymbol is null)
            {
                errors[i] = $"{LogicalValues.At(path)}enum symbol '{symbol}' not in reader and no default";
            }
            else
            {
                readerValues[i] = new GenericEnum(reader, readerSymbol);
            }
        }
    }

    public override object? Read(ref AvroBinaryReader r)
    {
        int index = r.ReadInt();
        if (index < 0 || index >= readerValues.Length)
        {
            throw new InvalidDataException($"Enum index {index} is out of range for the writer's enum '{writer.FullName}' of {readerValues.Length} symbols");
        }

        return readerValues[index] ?? throw new AvroResolutionException(errors[index]!);
    }

    public override IEnumerable<string> Problems => errors.OfType<string>();
}

internal sealed class ArrayPlan(ReadPlan items) : ReadPlan
{
    public override object? Read(ref AvroBinaryReader r)
    {
        var list = new List<object?>();
        for (long count = r.ReadBlockCount(out _); count != 0; count = r.ReadBlockCount(out _))
        {
            for (long i = 0; i < count; i++)
            {
                list.Add(items.Read(ref r));
            }
        }

        return list;
    }

    public override IEnumerable<ReadPlan> Children => [items];
}

internal sealed class MapPlan(ReadPlan values) : ReadPlan
{
    public override object? Read(ref AvroBinaryReader r)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (long count = r.ReadBlockCount(out _); count != 0; count = r.ReadBlockCount(out _))
        {
            for (long i = 0; i < count; i++)
            {
                string key = r.ReadString();
                map[key] = values.Read(ref r);
            }
        }

        return map;
    }

    public override IEnumerable<ReadPlan> Children => [values];
}

/// <summary>The writer wrote a union: the branch index on the wire picks which writer branch to resolve.</summary>
internal sealed class WriterUnionPlan(ReadPlan[] branches) : ReadPlan
{
    public override object? Read(ref AvroBinaryReader r)
    {
        int index = r.ReadInt();
        if (index < 0 || index >= branches.Length)
        {
            throw new InvalidDataException($"Union branch index {index} is out of range for the writer's union of {branches.Length} branches");
        }

        return branches[index].Read(ref r);
    }

    public override IEnumerable<ReadPlan> Children => branches;
}

internal sealed class RecordPlan(RecordSchema reader) : ReadPlan
{
    private Step[] steps = [];
    private RecordField[] defaults = [];
    private string[] errors = [];

    /// <summary>A writer field in wire order: read into a reader position, or skipped when the reader has no such field.</summary>
    internal readonly record struct Step(ReadPlan? Plan, int ReaderPosition, AvroSchema WriterType);

    // Filled in after construction, so that a recursive record can refer to its own plan.
    public void Initialize(Step[] fieldSteps, RecordField[] fieldDefaults, string[] fieldErrors)
    {
        steps = fieldSteps;
        defaults = fieldDefaults;
        errors = fieldErrors;
    }

    public override object? Read(ref AvroBinaryReader r)
    {
        if (errors.Length > 0)
        {
            throw new AvroResolutionException(errors[0]);
        }

        var record = new GenericRecord(reader);
        foreach (Step step in steps)
        {
            if (step.Plan is null)
            {
                Skipper.Skip(ref r, step.WriterType);
            }
            else
            {
                record[step.ReaderPosition] = step.Plan.Read(ref r);
            }
        }

        // Converted on every read, so records never share mutable default values.
        foreach (RecordField field in defaults)
        {
            record[field.Position] = DefaultValue.ToDatum(field.Type, (JsonElement)field.Default!);
        }

        return record;
    }

    public override IEnumerable<ReadPlan> Children => steps.Where(s => s.Plan is not null).Select(s => s.Plan!);

    public override IEnumerable<string> Problems => errors;
}
