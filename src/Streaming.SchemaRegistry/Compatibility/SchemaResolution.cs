using Avro;

namespace Streaming.SchemaRegistry;

/// <summary>
/// Whether a reader schema can read everything a writer schema can write, by the Avro specification's schema
/// resolution rules, with one readable reason per problem (the field path first). Apache.Avro's
/// <c>Schema.CanRead</c> answers the same question with a bare boolean; the registry has to say why.
/// </summary>
public static class SchemaResolution
{
    /// <summary>The reasons <paramref name="reader"/> cannot read data written with <paramref name="writer"/>; empty when it can.</summary>
    public static IReadOnlyList<string> Problems(Schema reader, Schema writer)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(writer);
        var problems = new List<string>();
        Check(Unwrap(writer), Unwrap(reader), "", problems, []);
        return problems.Distinct(StringComparer.Ordinal).ToList();
    }

    private static void Check(Schema writer, Schema reader, string path, List<string> problems, HashSet<(Schema, Schema)> visiting)
    {
        // A writer union resolves branch by branch: every branch it may write must be readable.
        if (writer is UnionSchema writerUnion)
        {
            foreach (var branch in writerUnion.Schemas)
            {
                Check(Unwrap(branch), reader, path, problems, visiting);
            }

            return;
        }

        if (reader is UnionSchema readerUnion)
        {
            var branch = readerUnion.Schemas.Select(Unwrap).FirstOrDefault(b => SameType(writer, b))
                ?? readerUnion.Schemas.Select(Unwrap).FirstOrDefault(b => Matches(writer, b));
            if (branch is null)
            {
                problems.Add($"{At(path)}writer type {Describe(writer)} matches no branch of the reader's union [{string.Join(", ", readerUnion.Schemas.Select(s => Describe(Unwrap(s))))}]");
                return;
            }

            Check(writer, branch, path, problems, visiting);
            return;
        }

        switch (writer, reader)
        {
            case (RecordSchema w, RecordSchema r) when NamesMatch(w, r):
                if (visiting.Add((w, r)))
                {
                    CheckRecord(w, r, path, problems, visiting);
                }

                return;
            case (EnumSchema w, EnumSchema r) when NamesMatch(w, r):
                if (r.Default is null)
                {
                    problems.AddRange(w.Symbols.Where(s => !r.Symbols.Contains(s)).Select(s => $"{At(path)}enum symbol '{s}' not in reader and no default"));
                }

                return;
            case (FixedSchema w, FixedSchema r) when NamesMatch(w, r):
                if (w.Size != r.Size)
                {
                    problems.Add($"{At(path)}fixed '{w.Fullname}' has {w.Size} bytes in the writer and {r.Size} in the reader");
                }

                return;
            case (ArraySchema w, ArraySchema r):
                Check(Unwrap(w.ItemSchema), Unwrap(r.ItemSchema), path + "[]", problems, visiting);
                return;
            case (MapSchema w, MapSchema r):
                Check(Unwrap(w.ValueSchema), Unwrap(r.ValueSchema), path + "{}", problems, visiting);
                return;
            case (NamedSchema w, NamedSchema r) when w.Tag == r.Tag:
                problems.Add($"{At(path)}writer's {Kind(w)} '{w.Fullname}' does not match the reader's '{r.Fullname}' (the names differ)");
                return;
            case (PrimitiveSchema w, PrimitiveSchema r) when Promotes(w.Tag, r.Tag):
                return;
            default:
                problems.Add($"{At(path)}writer type {Describe(writer)} cannot be read as {Describe(reader)}");
                return;
        }
    }

    private static void CheckRecord(RecordSchema writer, RecordSchema reader, string path, List<string> problems, HashSet<(Schema, Schema)> visiting)
    {
        var matched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var writerField in writer.Fields)
        {
            var readerField = reader.Fields.FirstOrDefault(f => f.Name == writerField.Name)
                ?? reader.Fields.FirstOrDefault(f => f.Aliases?.Contains(writerField.Name) == true);
            if (readerField is null || !matched.Add(readerField.Name))
            {
                // The reader skips a field it does not know.
                continue;
            }

            Check(Unwrap(writerField.Schema), Unwrap(readerField.Schema), Join(path, readerField.Name), problems, visiting);
        }

        foreach (var readerField in reader.Fields.Where(f => !matched.Contains(f.Name) && f.DefaultValue is null))
        {
            problems.Add($"{At(Join(path, readerField.Name))}missing from the writer's record '{writer.Fullname}' and has no default in the reader");
        }
    }

    // Logical types annotate their base type; resolution looks through them.
    private static Schema Unwrap(Schema schema) => schema is LogicalSchema logical ? logical.BaseSchema : schema;

    private static bool NamesMatch(NamedSchema writer, NamedSchema reader) =>
        writer.Fullname == reader.Fullname || writer.Name == reader.Name;

    private static bool SameType(Schema writer, Schema reader) => (writer, reader) switch
    {
        (NamedSchema w, NamedSchema r) => w.Tag == r.Tag && w.Fullname == r.Fullname,
        (ArraySchema w, ArraySchema r) => SameType(Unwrap(w.ItemSchema), Unwrap(r.ItemSchema)),
        (MapSchema w, MapSchema r) => SameType(Unwrap(w.ValueSchema), Unwrap(r.ValueSchema)),
        (UnionSchema, _) or (_, UnionSchema) => false,
        _ => writer.Tag == reader.Tag,
    };

    // The specification's shallow match that picks a reader union branch for a writer type.
    private static bool Matches(Schema writer, Schema reader) => (writer, reader) switch
    {
        (PrimitiveSchema w, PrimitiveSchema r) => Promotes(w.Tag, r.Tag),
        (NamedSchema w, NamedSchema r) => w.Tag == r.Tag && NamesMatch(w, r),
        (ArraySchema, ArraySchema) or (MapSchema, MapSchema) => true,
        _ => false,
    };

    private static bool Promotes(Schema.Type writer, Schema.Type reader) => writer == reader || (writer, reader) switch
    {
        (Schema.Type.Int, Schema.Type.Long or Schema.Type.Float or Schema.Type.Double) => true,
        (Schema.Type.Long, Schema.Type.Float or Schema.Type.Double) => true,
        (Schema.Type.Float, Schema.Type.Double) => true,
        (Schema.Type.String, Schema.Type.Bytes) or (Schema.Type.Bytes, Schema.Type.String) => true,
        _ => false,
    };

    private static string Kind(Schema schema) => schema.Tag == Schema.Type.Enumeration ? "enum" : schema.Tag.ToString().ToLowerInvariant();

    private static string Describe(Schema schema) => schema is NamedSchema named ? named.Fullname : Kind(schema);

    private static string Join(string path, string field) => path.Length == 0 ? field : $"{path}.{field}";

    private static string At(string path) => path.Length == 0 ? "" : $"field '{path}': ";
}
