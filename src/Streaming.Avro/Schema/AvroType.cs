namespace Streaming.Avro;

/// <summary>The Avro type of a schema: the eight primitives and the six complex types.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "These are the Avro specification's type names.")]
public enum AvroType
{
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Record,
    Enum,
    Array,
    Map,
    Union,
    Fixed,
}

/// <summary>How a record field takes part in sort order (the field's "order" attribute).</summary>
public enum SortOrder
{
    Ascending,
    Descending,
    Ignore,
}
