using System.Collections;

namespace Streaming.Avro;

/// <summary>A union: a value of any one of its branches, encoded as the branch index then the value.</summary>
public sealed class UnionSchema : AvroSchema
{
    internal UnionSchema(IReadOnlyList<AvroSchema> branches)
        : base(null)
    {
        Branches = branches;
    }

    public override AvroType Type => AvroType.Union;

    public IReadOnlyList<AvroSchema> Branches { get; }

    /// <summary>
    /// The branch a .NET value is written as: the first branch of exactly its type (null, bool, int, ...,
    /// a GenericRecord/GenericEnum/GenericFixed by full name), else the first branch it widens to
    /// (int to long/float/double, long to float/double, float to double, byte[] to a fixed of its length,
    /// a string to an enum that has it as a symbol).
    /// </summary>
    public bool TryGetBranchIndex(object? datum, out int index)
    {
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < Branches.Count; i++)
            {
                if (pass == 0 ? IsExactly(Branches[i], datum) : WidensTo(Branches[i], datum))
                {
                    index = i;
                    return true;
                }
            }
        }

        index = -1;
        return false;
    }

    private static bool IsExactly(AvroSchema branch, object? datum) => datum switch
    {
        null => branch.Type == AvroType.Null,
        bool => branch.Type == AvroType.Boolean,
        int => IsPlain(branch, AvroType.Int),
        long => IsPlain(branch, AvroType.Long),
        float => branch.Type == AvroType.Float,
        double => branch.Type == AvroType.Double,
        string => IsPlain(branch, AvroType.String),
        byte[] => IsPlain(branch, AvroType.Bytes),
        DateTimeOffset or DateTime => HasLogical(branch, LogicalType.TimestampMillis) || HasLogical(branch, LogicalType.TimestampMicros),
        DateOnly => HasLogical(branch, LogicalType.Date),
        TimeOnly or TimeSpan => HasLogical(branch, LogicalType.TimeMillis) || HasLogical(branch, LogicalType.TimeMicros),
        Guid => HasLogical(branch, LogicalType.Uuid),
        decimal => HasLogical(branch, LogicalType.Decimal),
        GenericRecord record => branch is RecordSchema r && r.FullName == record.Schema.FullName,
        GenericEnum symbol => branch is EnumSchema e && e.FullName == symbol.Schema.FullName,
        GenericFixed fixedValue => branch is FixedSchema f && f.FullName == fixedValue.Schema.FullName,
        IDictionary or IReadOnlyDictionary<string, object?> => branch.Type == AvroType.Map,
        IEnumerable => branch.Type == AvroType.Array,
        _ => false,
    };

    private static bool WidensTo(AvroSchema branch, object? datum) => datum switch
    {
        int => branch.Type is AvroType.Int or AvroType.Long or AvroType.Float or AvroType.Double,
        long => branch.Type is AvroType.Long or AvroType.Float or AvroType.Double,
        float => branch.Type is AvroType.Double,
        string s => branch.Type == AvroType.String || (branch is EnumSchema e && e.IndexOf(s) >= 0),
        byte[] bytes => branch.Type == AvroType.Bytes || (branch is FixedSchema f && f.Size == bytes.Length),
        Guid => branch.Type == AvroType.String,
        _ => false,
    };

    private static bool IsPlain(AvroSchema branch, AvroType type) =>
        branch.Type == type && LogicalTypeOf(branch) is null;

    private static bool HasLogical(AvroSchema branch, string name) => LogicalTypeOf(branch)?.Name == name;

    internal static LogicalType? LogicalTypeOf(AvroSchema schema) => schema switch
    {
        PrimitiveSchema p => p.LogicalType,
        FixedSchema f => f.LogicalType,
        _ => null,
    };
}
