using Avro;

namespace Streaming.SchemaRegistry.Tests;

public class CompatibilityTests
{
    private static readonly Schema V1 = Schema.Parse("""
        {"type":"record","name":"Doc","fields":[{"name":"id","type":"string"},{"name":"size","type":"int"}]}
        """);

    // Adds a field with a default and widens size: new readers read old data, old readers read new data.
    private static readonly Schema V2 = Schema.Parse("""
        {"type":"record","name":"Doc","fields":[{"name":"id","type":"string"},{"name":"size","type":"long"},{"name":"tag","type":"string","default":""}]}
        """);

    // Adds a field without a default.
    private static readonly Schema V3NoDefault = Schema.Parse("""
        {"type":"record","name":"Doc","fields":[{"name":"id","type":"string"},{"name":"size","type":"long"},{"name":"owner","type":"string"}]}
        """);

    [Fact]
    public void Schema_can_read_itself()
    {
        Assert.True(SchemaCompatibility.CheckCanRead(V2, V2).IsCompatible);
    }

    [Fact]
    public void Added_field_with_default_and_promotion_is_backward_compatible()
    {
        Assert.True(SchemaCompatibility.CheckCanRead(reader: V2, writer: V1).IsCompatible);
    }

    [Fact]
    public void Narrowing_is_not_forward_compatible()
    {
        var result = SchemaCompatibility.CheckCanRead(reader: V1, writer: V2);
        Assert.False(result.IsCompatible);
        Assert.Equal(["field 'size': writer type long cannot be read as int"], result.Messages);
    }

    [Fact]
    public void Added_field_without_default_is_not_backward_compatible()
    {
        var result = SchemaCompatibility.CheckCanRead(reader: V3NoDefault, writer: V1);
        Assert.Equal(["field 'owner': missing from the writer's record 'Doc' and has no default in the reader"], result.Messages);
    }

    [Fact]
    public void Removed_enum_symbol_needs_a_reader_default()
    {
        var writer = Schema.Parse("""{"type":"record","name":"R","fields":[{"name":"status","type":{"type":"enum","name":"S","symbols":["A","B","ARCHIVED"]}}]}""");
        var reader = Schema.Parse("""{"type":"record","name":"R","fields":[{"name":"status","type":{"type":"enum","name":"S","symbols":["A","B"]}}]}""");
        var withDefault = Schema.Parse("""{"type":"record","name":"R","fields":[{"name":"status","type":{"type":"enum","name":"S","symbols":["A","B"],"default":"A"}}]}""");
        Assert.Equal(["field 'status': enum symbol 'ARCHIVED' not in reader and no default"], SchemaCompatibility.CheckCanRead(reader, writer).Messages);
        Assert.True(SchemaCompatibility.CheckCanRead(withDefault, writer).IsCompatible);
    }

    [Fact]
    public void Every_writer_union_branch_must_be_readable()
    {
        var writer = Schema.Parse("""["null","string","int"]""");
        Assert.True(SchemaCompatibility.CheckCanRead(Schema.Parse("""["null","string","long"]"""), writer).IsCompatible);
        var result = SchemaCompatibility.CheckCanRead(Schema.Parse("""["null","string"]"""), writer);
        Assert.Equal(["writer type int matches no branch of the reader's union [null, string]"], result.Messages);
    }

    [Fact]
    public void Widening_to_a_union_is_backward_but_not_forward_compatible()
    {
        var plain = Schema.Parse("\"string\"");
        var optional = Schema.Parse("""["null","string"]""");
        Assert.True(SchemaCompatibility.CheckCanRead(optional, plain).IsCompatible);
        Assert.Equal(["writer type null cannot be read as string"], SchemaCompatibility.CheckCanRead(plain, optional).Messages);
    }

    [Fact]
    public void Reports_name_mismatch()
    {
        var result = SchemaCompatibility.CheckCanRead(Schema.Parse("""{"type":"record","name":"Other","fields":[]}"""), V1);
        Assert.Contains("does not match the reader's 'Other'", Assert.Single(result.Messages), StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_every_problem_in_nested_and_recursive_types()
    {
        var writer = Schema.Parse("""
            {"type":"record","name":"Node","fields":[{"name":"v","type":"long"},{"name":"kids","type":{"type":"array","items":"Node"}},{"name":"m","type":{"type":"map","values":"string"}}]}
            """);
        var reader = Schema.Parse("""
            {"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"kids","type":{"type":"array","items":"Node"}},{"name":"m","type":{"type":"map","values":"int"}}]}
            """);
        var result = SchemaCompatibility.CheckCanRead(reader, writer);
        Assert.Equal(
            ["field 'v': writer type long cannot be read as int", "field 'm{}': writer type string cannot be read as int"],
            result.Messages);
    }

    [Theory]
    [InlineData(CompatibilityLevel.None, true)]
    [InlineData(CompatibilityLevel.Backward, true)]
    [InlineData(CompatibilityLevel.Forward, false)]
    [InlineData(CompatibilityLevel.Full, false)]
    public void Checks_candidate_against_newest_at_level(CompatibilityLevel level, bool compatible)
    {
        Assert.Equal(compatible, SchemaCompatibility.Check(V2, [V1], level).IsCompatible);
    }

    [Fact]
    public void Transitive_levels_check_every_existing_schema()
    {
        // V2 -> V2b drops the default of tag: fine against V2 (it writes tag) but V1 data has no tag.
        var v2b = Schema.Parse("""
            {"type":"record","name":"Doc","fields":[{"name":"id","type":"string"},{"name":"size","type":"long"},{"name":"tag","type":"string"}]}
            """);
        Assert.True(SchemaCompatibility.Check(v2b, [V2, V1], CompatibilityLevel.Backward).IsCompatible);
        var transitive = SchemaCompatibility.Check(v2b, [V2, V1], CompatibilityLevel.BackwardTransitive);
        Assert.Equal(
            ["new schema cannot read data written with existing schema #1 (0 = newest): field 'tag': missing from the writer's record 'Doc' and has no default in the reader"],
            transitive.Messages);
    }

    [Fact]
    public void Forward_levels_check_that_old_schemas_read_new_data()
    {
        var removedSize = Schema.Parse("""{"type":"record","name":"Doc","fields":[{"name":"id","type":"string"}]}""");
        var result = SchemaCompatibility.Check(removedSize, [V1], CompatibilityLevel.Forward);
        Assert.Equal(["the newest existing schema cannot read data written with the new schema: field 'size': missing from the writer's record 'Doc' and has no default in the reader"], result.Messages);
        Assert.True(SchemaCompatibility.Check(removedSize, [V1], CompatibilityLevel.Backward).IsCompatible);
        Assert.False(SchemaCompatibility.Check(removedSize, [V1], CompatibilityLevel.FullTransitive).IsCompatible);
        Assert.True(SchemaCompatibility.Check(V2, [V1], CompatibilityLevel.ForwardTransitive) is { IsCompatible: false });
    }

    [Fact]
    public void Full_compatibility_accepts_field_added_with_default()
    {
        var withOptional = Schema.Parse("""
            {"type":"record","name":"Doc","fields":[{"name":"id","type":"string"},{"name":"size","type":"int"},{"name":"note","type":["null","string"],"default":null}]}
            """);
        Assert.True(SchemaCompatibility.Check(withOptional, [V1], CompatibilityLevel.FullTransitive).IsCompatible);
        Assert.True(SchemaCompatibility.Check(V1, [], CompatibilityLevel.FullTransitive).IsCompatible);
    }
}
