namespace Streaming.Avro;

/// <summary>The spec's schema resolution rules, turned into a <see cref="ReadPlan"/> for one writer/reader pair.</summary>
internal sealed class ResolutionPlanner
{
    private readonly Dictionary<(RecordSchema Writer, RecordSchema Reader), RecordPlan> records = [];

    public ReadPlan Plan(AvroSchema writer, AvroSchema reader, string path)
    {
        // A writer union is resolved branch by branch: only the branch actually written must resolve.
        if (writer is UnionSchema writerUnion)
        {
            return new WriterUnionPlan([.. writerUnion.Branches.Select(branch => Plan(branch, reader, path))]);
        }

        if (reader is UnionSchema readerUnion)
        {
            // The first branch of the very same type wins over the spec's looser match (promotion, unqualified
            // names, aliases); otherwise a union holding a.R and b.R would read b.R data as a.R. Java does the same.
            AvroSchema? branch = readerUnion.Branches.FirstOrDefault(b => IsSameType(writer, b))
                ?? readerUnion.Branches.FirstOrDefault(b => Matches(writer, b));
            if (branch is not null)
            {
                return Plan(writer, branch, path);
            }

            return Error(path, $"writer type {writer.Describe()} matches no branch of the reader's union [{string.Join(", ", readerUnion.Branches.Select(b => b.Describe()))}]");
        }

        return (writer, reader) switch
        {
            (PrimitiveSchema w, PrimitiveSchema r) when PrimitivePlan.CanRead(w.Type, r.Type) => new PrimitivePlan(w.Type, r),
            (RecordSchema w, RecordSchema r) when r.MatchesWriterName(w) => PlanRecord(w, r, path),
            (EnumSchema w, EnumSchema r) when r.MatchesWriterName(w) => new EnumPlan(w, r, path),
            (FixedSchema w, FixedSchema r) when r.MatchesWriterName(w) && w.Size == r.Size => new FixedPlan(r),
            (FixedSchema w, FixedSchema r) when r.MatchesWriterName(w) => Error(path, $"fixed '{w.FullName}' has {w.Size} bytes in the writer and {r.Size} in the reader"),
            (ArraySchema w, ArraySchema r) => new ArrayPlan(Plan(w.Items, r.Items, $"{path}[]")),
            (MapSchema w, MapSchema r) => new MapPlan(Plan(w.Values, r.Values, $"{path}{{}}")),
            (NamedSchema w, NamedSchema r) when w.Type == r.Type => Error(path, $"writer's {AvroSchema.TypeName(w.Type)} '{w.FullName}' does not match the reader's '{r.FullName}' (names differ and no reader alias matches)"),
            _ => Error(path, $"writer type {writer.Describe()} cannot be read as {reader.Describe()}"),
        };
    }

    private static bool IsSameType(AvroSchema writer, AvroSchema reader) => (writer, reader) switch
    {
        (NamedSchema w, NamedSchema r) => w.Type == r.Type && w.FullName == r.FullName,
        (ArraySchema w, ArraySchema r) => IsSameType(w.Items, r.Items),
        (MapSchema w, MapSchema r) => IsSameType(w.Values, r.Values),
        (UnionSchema, _) or (_, UnionSchema) => false,
        _ => writer.Type == reader.Type,
    };

    /// <summary>The spec's shallow "match" that picks a reader union branch for a non-union writer type.</summary>
    private static bool Matches(AvroSchema writer, AvroSchema reader) => (writer, reader) switch
    {
        (UnionSchema, _) or (_, UnionSchema) => true,
        (PrimitiveSchema w, PrimitiveSchema r) => PrimitivePlan.CanRead(w.Type, r.Type),
        (FixedSchema w, FixedSchema r) => r.MatchesWriterName(w) && w.Size == r.Size,
        (NamedSchema w, NamedSchema r) => w.Type == r.Type && r.MatchesWriterName(w),
        (ArraySchema w, ArraySchema r) => Matches(w.Items, r.Items),
        (MapSchema w, MapSchema r) => Matches(w.Values, r.Values),
        _ => false,
    };

    private RecordPlan PlanRecord(RecordSchema writer, RecordSchema reader, string path)
    {
        if (records.TryGetValue((writer, reader), out RecordPlan? existing))
        {
            return existing;
        }

        var plan = new RecordPlan(reader);
        records[(writer, reader)] = plan;

        var matched = new HashSet<RecordField>();
        var steps = new List<RecordPlan.Step>();
        foreach (RecordField writerField in writer.Fields)
        {
            RecordField? readerField = reader.GetField(writerField.Name)
                ?? reader.Fields.FirstOrDefault(f => f.Aliases.Contains(writerField.Name, StringComparer.Ordinal));
            if (readerField is null || !matched.Add(readerField))
            {
                steps.Add(new RecordPlan.Step(null, -1, writerField.Type));
                continue;
            }

            steps.Add(new RecordPlan.Step(Plan(writerField.Type, readerField.Type, Join(path, readerField.Name)), readerField.Position, writerField.Type));
        }

        var defaults = new List<RecordField>();
        var errors = new List<string>();
        foreach (RecordField readerField in reader.Fields.Where(f => !matched.Contains(f)))
        {
            if (readerField.Default is null)
            {
                errors.Add($"{LogicalValues.At(Join(path, readerField.Name))}missing from the writer's record '{writer.FullName}' and has no default in the reader");
            }
            else
            {
                defaults.Add(readerField);
            }
        }

        plan.Initialize([.. steps], [.. defaults], [.. errors]);
        return plan;
    }

    private static string Join(string path, string field) => path.Length == 0 ? field : $"{path}.{field}";

    private static ErrorPlan Error(string path, string message) => new($"{LogicalValues.At(path)}{message}");
}
