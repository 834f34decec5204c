namespace Streaming.Avro;

/// <summary>Moves past a value written with a schema without building it (writer fields the reader does not have).</summary>
internal static class Skipper
{
    public static void Skip(ref AvroBinaryReader r, AvroSchema writer)
    {
        switch (writer)
        {
            case PrimitiveSchema p:
                switch (p.Type)
                {
                    case AvroType.Null: break;
                    case AvroType.Boolean: r.ReadBoolean(); break;
                    case AvroType.Int or AvroType.Long: r.ReadLong(); break;
                    case AvroType.Float: r.Skip(4); break;
                    case AvroType.Double: r.Skip(8); break;
                    default: r.SkipBytes(); break;
                }

                break;
            case FixedSchema f:
                r.Skip(f.Size);
                break;
            case EnumSchema:
                r.ReadInt();
                break;
            case RecordSchema record:
                foreach (RecordField field in record.Fields)
                {
                    Skip(ref r, field.Type);
                }

                break;
            case UnionSchema union:
                int index = r.ReadInt();
                if (index < 0 || index >= union.Branches.Count)
                {
                    throw new InvalidDataException($"Union branch index {index} is out of range for a union of {union.Branches.Count} branches");
                }

                Skip(ref r, union.Branches[index]);
                break;
            case ArraySchema array:
                SkipBlocks(ref r, array.Items, isMap: false);
                break;
            case MapSchema map:
                SkipBlocks(ref r, map.Values, isMap: true);
                break;
        }
    }

    private static void SkipBlocks(ref AvroBinaryReader r, AvroSchema item, bool isMap)
    {
        for (long count = r.ReadBlockCount(out long byteSize); count != 0; count = r.ReadBlockCount(out byteSize))
        {
            // A block that states its byte size can be jumped over whole; that is why writers may give it.
            if (byteSize >= 0)
            {
                r.Skip(checked((int)byteSize));
                continue;
            }

            for (long i = 0; i < count; i++)
            {
                if (isMap)
                {
                    r.SkipBytes();
                }

                Skip(ref r, item);
            }
        }
    }
}
