namespace Streaming.Avro.Tests;

public class ResolutionTests
{
    private const string StatusV1 = """{"type":"enum","name":"Status","symbols":["NEW","DONE"]}""";

    private static object? Resolve(string writerSchema, object? datum, string readerSchema)
    {
        var writer = AvroSchema.Parse(writerSchema);
        return AvroDeserializer.Deserialize(AvroSerializer.Serialize(writer, datum), writer, AvroSchema.Parse(readerSchema));
    }

    private static GenericRecord Record(string schema, params (string Field, object? Value)[] values)
    {
        var record = new GenericRecord((RecordSchema)AvroSchema.Parse(schema));
        foreach (var (field, value) in values)
        {
            record[field] = value;
        }

        return record;
    }

    [Fact]
    public void Resolves_added_field_with_default()
    {
        const string v1 = """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""";
        const string v2 = """
            {"type":"record","name":"R","fields":[
              {"name":"a","type":"int"},
              {"name":"b","type":"string","default":"none"},
              {"name":"c","type":["null","long"],"default":null},
              {"name":"d","type":{"type":"array","items":"int"},"default":[1,2]},
              {"name":"e","type":{"type":"long","logicalType":"timestamp-millis"},"default":1000},
              {"name":"f","type":{"type":"enum","name":"E","symbols":["X","Y"]},"default":"Y"}]}
            """;
        var read = (GenericRecord)Resolve(v1, Record(v1, ("a", 7)), v2)!;
        Assert.Equal(7, read["a"]);
        Assert.Equal("none", read["b"]);
        Assert.Null(read["c"]);
        Assert.Equal(new List<object?> { 1, 2 }, read["d"]);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(1), read["e"]);
        Assert.Equal("Y", ((GenericEnum)read["f"]!).Symbol);
    }

    [Fact]
    public void Rejects_added_field_without_default()
    {
        const string v1 = """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""";
        const string v2 = """{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}""";
        var e = Assert.Throws<AvroResolutionException>(() => Resolve(v1, Record(v1, ("a", 7)), v2));
        Assert.Equal("field 'b': missing from the writer's record 'R' and has no default in the reader", e.Message);
    }

    [Fact]
    public void Skips_removed_field_of_every_type()
    {
        const string writer = """
            {"type":"record","name":"R","fields":[
              {"name":"gone1","type":{"type":"map","values":{"type":"record","name":"G","fields":[{"name":"x","type":["null","double"]}]}}},
              {"name":"keep","type":"string"},
              {"name":"gone2","type":{"type":"fixed","name":"F","size":3}},
              {"name":"gone3","type":{"type":"array","items":"float"}},
              {"name":"gone4","type":["null","bytes","boolean"]}]}
            """;
        const string reader = """{"type":"record","name":"R","fields":[{"name":"keep","type":"string"}]}""";
        var g = (RecordSchema)((MapSchema)((RecordSchema)AvroSchema.Parse(writer)).Fields[0].Type).Values;
        var datum = Record(writer,
            ("gone1", new Dictionary<string, object?> { ["k"] = new GenericRecord(g) { ["x"] = 1.0 } }),
            ("keep", "kept"),
            ("gone2", new byte[] { 1, 2, 3 }),
            ("gone3", new List<object?> { 1f, 2f }),
            ("gone4", new byte[] { 9 }));
        var read = (GenericRecord)Resolve(writer, datum, reader)!;
        Assert.Equal("kept", read["keep"]);
        Assert.Single(read.Schema.Fields);
    }

    [Fact]
    public void Uses_reader_enum_default_for_unknown_symbol()
    {
        const string writer = """{"type":"enum","name":"Status","symbols":["NEW","DONE","ARCHIVED"]}""";
        const string reader = """{"type":"enum","name":"Status","symbols":["NEW","DONE","UNKNOWN"],"default":"UNKNOWN"}""";
        Assert.Equal("UNKNOWN", ((GenericEnum)Resolve(writer, "ARCHIVED", reader)!).Symbol);
        Assert.Equal("DONE", ((GenericEnum)Resolve(writer, "DONE", reader)!).Symbol);
    }

    [Fact]
    public void Rejects_unknown_enum_symbol_without_default_naming_the_field()
    {
        const string writer = """{"type":"record","name":"R","fields":[{"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","DONE","ARCHIVED"]}}]}""";
        const string reader = $$"""{"type":"record","name":"R","fields":[{"name":"status","type":{{StatusV1}}}]}""";
        Assert.Equal("NEW", ((GenericEnum)((GenericRecord)Resolve(writer, Record(writer, ("status", "NEW")), reader)!)["status"]!).Symbol);
        var e = Assert.Throws<AvroResolutionException>(() => Resolve(writer, Record(writer, ("status", "ARCHIVED")), reader));
        Assert.Equal("field 'status': enum symbol 'ARCHIVED' not in reader and no default", e.Message);
    }

    [Theory]
    [InlineData("\"int\"", 5, "\"long\"", 5L)]
    [InlineData("\"int\"", 5, "\"float\"", 5f)]
    [InlineData("\"int\"", 5, "\"double\"", 5d)]
    [InlineData("\"long\"", 1L << 40, "\"float\"", (float)(1L << 40))]
    [InlineData("\"long\"", 1L << 40, "\"double\"", (double)(1L << 40))]
    [InlineData("\"float\"", 0.1f, "\"double\"", (double)0.1f)]
    [InlineData("\"string\"", "é", "\"bytes\"", new byte[] { 0xc3, 0xa9 })]
    public void Promotes_writer_type_to_reader_type(string writer, object value, string reader, object expected)
    {
        Assert.Equal(expected, Resolve(writer, value, reader));
    }

    [Fact]
    public void Reads_bytes_as_string()
    {
        Assert.Equal("hi", Resolve("\"bytes\"", "hi"u8.ToArray(), "\"string\""));
    }

    [Theory]
    [InlineData("\"long\"", "\"int\"")]
    [InlineData("\"double\"", "\"float\"")]
    [InlineData("\"string\"", "\"int\"")]
    [InlineData("\"boolean\"", "\"null\"")]
    public void Rejects_narrowing_or_unrelated_types(string writer, string reader)
    {
        var e = Assert.Throws<AvroResolutionException>(() => Resolve(writer, writer switch
        {
            "\"long\"" => 1L,
            "\"double\"" => 1d,
            "\"string\"" => "x",
            _ => true,
        }, reader));
        Assert.Contains("cannot be read as", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_non_union_writer_into_first_matching_reader_branch()
    {
        Assert.Equal("x", Resolve("\"string\"", "x", """["null","string"]"""));
        Assert.Equal(5L, Resolve("\"int\"", 5, """["null","string","long"]"""));
        // The same type wins over an earlier branch it could be promoted to.
        Assert.Equal(5, Resolve("\"int\"", 5, """["null","long","int"]"""));
    }

    [Fact]
    public void Reads_union_writer_branch_by_branch()
    {
        const string writer = """["null","int","string"]""";
        Assert.Equal(5L, Resolve(writer, 5, "\"long\""));
        Assert.Equal(5L, Resolve(writer, 5, """["string","long","null"]"""));
        Assert.Null(Resolve(writer, null, """["string","null"]"""));
        // Only the branch actually written has to resolve.
        var e = Assert.Throws<AvroResolutionException>(() => Resolve(writer, "x", "\"long\""));
        Assert.Contains("writer type string cannot be read as long", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_writer_type_matching_no_reader_branch()
    {
        var e = Assert.Throws<AvroResolutionException>(() => Resolve("\"boolean\"", true, """["null","string"]"""));
        Assert.Equal("writer type boolean matches no branch of the reader's union [null, string]", e.Message);
    }

    [Fact]
    public void Rejects_record_name_mismatch()
    {
        const string writer = """{"type":"record","name":"a.Person","fields":[]}""";
        var e = Assert.Throws<AvroResolutionException>(() => Resolve(writer, Record(writer), """{"type":"record","name":"a.Company","fields":[]}"""));
        Assert.Equal("writer's record 'a.Person' does not match the reader's 'a.Company' (names differ and no reader alias matches)", e.Message);
    }

    [Fact]
    public void Matches_named_types_by_unqualified_name_or_reader_alias()
    {
        const string writer = """{"type":"record","name":"old.ns.Person","fields":[{"name":"fullName","type":"string"}]}""";
        var renamedNamespace = (GenericRecord)Resolve(writer, Record(writer, ("fullName", "Ada")), """{"type":"record","name":"new.ns.Person","fields":[{"name":"fullName","type":"string"}]}""")!;
        Assert.Equal("new.ns.Person", renamedNamespace.Schema.FullName);

        var aliased = (GenericRecord)Resolve(writer, Record(writer, ("fullName", "Ada")), """
            {"type":"record","name":"Human","aliases":["old.ns.Person"],"fields":[{"name":"name","type":"string","aliases":["fullName"]}]}
            """)!;
        Assert.Equal("Ada", aliased["name"]);
    }

    [Fact]
    public void Rejects_fixed_of_another_size()
    {
        var e = Assert.Throws<AvroResolutionException>(() => Resolve("""{"type":"fixed","name":"F","size":2}""", new byte[2], """{"type":"fixed","name":"F","size":3}"""));
        Assert.Contains("has 2 bytes in the writer and 3 in the reader", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolves_inside_arrays_and_maps_with_path()
    {
        const string writer = """{"type":"record","name":"R","fields":[{"name":"items","type":{"type":"array","items":{"type":"map","values":"int"}}}]}""";
        const string reader = """{"type":"record","name":"R","fields":[{"name":"items","type":{"type":"array","items":{"type":"map","values":"double"}}}]}""";
        var datum = Record(writer, ("items", new List<object?> { new Dictionary<string, object?> { ["a"] = 1 } }));
        var read = (GenericRecord)Resolve(writer, datum, reader)!;
        Assert.Equal(1d, ((IDictionary<string, object?>)((IList<object?>)read["items"]!)[0]!)["a"]);

        const string badReader = """{"type":"record","name":"R","fields":[{"name":"items","type":{"type":"array","items":{"type":"map","values":"string"}}}]}""";
        var e = Assert.Throws<AvroResolutionException>(() => Resolve(writer, datum, badReader));
        Assert.Equal("field 'items[]{}': writer type int cannot be read as string", e.Message);
    }

    [Fact]
    public void Resolves_recursive_records_across_versions()
    {
        const string writer = """{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"]}]}""";
        const string reader = """{"type":"record","name":"Node","fields":[{"name":"v","type":"long"},{"name":"next","type":["null","Node"]},{"name":"w","type":"int","default":-1}]}""";
        var writerSchema = (RecordSchema)AvroSchema.Parse(writer);
        var tail = new GenericRecord(writerSchema) { ["v"] = 2, ["next"] = null };
        var head = new GenericRecord(writerSchema) { ["v"] = 1, ["next"] = tail };
        var read = (GenericRecord)AvroDeserializer.Deserialize(AvroSerializer.Serialize(writerSchema, head), writerSchema, AvroSchema.Parse(reader))!;
        Assert.Equal(1L, read["v"]);
        Assert.Equal(-1, read["w"]);
        Assert.Equal(2L, ((GenericRecord)read["next"]!)["v"]);
    }

    [Fact]
    public void Default_values_are_not_shared_between_reads()
    {
        const string v1 = """{"type":"record","name":"R","fields":[]}""";
        const string v2 = """{"type":"record","name":"R","fields":[{"name":"xs","type":{"type":"array","items":"int"},"default":[]}]}""";
        var first = (GenericRecord)Resolve(v1, Record(v1), v2)!;
        ((IList<object?>)first["xs"]!).Add(1);
        var second = (GenericRecord)Resolve(v1, Record(v1), v2)!;
        Assert.Empty((IList<object?>)second["xs"]!);
    }
}
