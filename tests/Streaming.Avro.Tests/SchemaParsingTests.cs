using System.Text.Json;

namespace Streaming.Avro.Tests;

public class SchemaParsingTests
{
    [Fact]
    public void Parses_primitive_in_both_forms()
    {
        Assert.Equal(AvroType.Long, AvroSchema.Parse("\"long\"").Type);
        Assert.Equal(AvroType.Long, AvroSchema.Parse("""{"type":"long"}""").Type);
    }

    [Fact]
    public void Inherits_namespace_from_the_enclosing_named_type()
    {
        var record = (RecordSchema)AvroSchema.Parse("""
            {"type":"record","name":"Outer","namespace":"a.b","fields":[
              {"name":"inner","type":{"type":"record","name":"Inner","fields":[]}},
              {"name":"other","type":{"type":"enum","name":"x.y.E","symbols":["A"]}},
              {"name":"nulled","type":{"type":"fixed","name":"F","namespace":"","size":1}},
              {"name":"again","type":"Inner"},
              {"name":"full","type":"a.b.Inner"}]}
            """);
        Assert.Equal("a.b.Outer", record.FullName);
        Assert.Equal("a.b.Inner", ((NamedSchema)record.Fields[0].Type).FullName);
        var e = (EnumSchema)record.Fields[1].Type;
        Assert.Equal(("x.y", "E"), (e.Namespace, e.Name));
        Assert.Equal("F", ((FixedSchema)record.Fields[2].Type).FullName);
        Assert.Null(((FixedSchema)record.Fields[2].Type).Namespace);
        Assert.Same(record.Fields[0].Type, record.Fields[3].Type);
        Assert.Same(record.Fields[0].Type, record.Fields[4].Type);
    }

    [Fact]
    public void Resolves_recursive_record()
    {
        var list = (RecordSchema)AvroSchema.Parse("""
            {"type":"record","name":"LongList","fields":[
              {"name":"value","type":"long"},
              {"name":"next","type":["null","LongList"]}]}
            """);
        Assert.Same(list, ((UnionSchema)list.Fields[1].Type).Branches[1]);

        var tail = new GenericRecord(list) { ["value"] = 2L, ["next"] = null };
        var head = new GenericRecord(list) { ["value"] = 1L, ["next"] = tail };
        byte[] bytes = AvroSerializer.Serialize(list, head);
        Assert.Equal("02020400", Convert.ToHexStringLower(bytes));
        Assert.Equal(head, AvroDeserializer.Deserialize(bytes, list));
    }

    [Fact]
    public void Keeps_field_details()
    {
        var record = (RecordSchema)AvroSchema.Parse("""
            {"type":"record","name":"R","doc":"a record","aliases":["Old","other.Older"],"fields":[
              {"name":"f","type":"int","default":3,"doc":"the f","order":"descending","aliases":["g"],"x-custom":true}]}
            """);
        RecordField f = record.Fields[0];
        Assert.Equal(3, f.Default!.Value.GetInt32());
        Assert.Equal("the f", f.Doc);
        Assert.Equal(SortOrder.Descending, f.Order);
        Assert.Equal(["g"], f.Aliases);
        Assert.True(f.Properties["x-custom"].GetBoolean());
        Assert.Equal("a record", record.Doc);
        Assert.Equal(["Old", "other.Older"], record.Aliases);
    }

    [Fact]
    public void Distinguishes_null_default_from_no_default()
    {
        var record = (RecordSchema)AvroSchema.Parse("""
            {"type":"record","name":"R","fields":[{"name":"a","type":["null","int"],"default":null},{"name":"b","type":["null","int"]}]}
            """);
        Assert.Equal(JsonValueKind.Null, record.Fields[0].Default!.Value.ValueKind);
        Assert.Null(record.Fields[1].Default);
    }

    [Theory]
    [InlineData("""{"type":"long","logicalType":"timestamp-millis"}""", "timestamp-millis")]
    [InlineData("""{"type":"long","logicalType":"timestamp-micros"}""", "timestamp-micros")]
    [InlineData("""{"type":"int","logicalType":"date"}""", "date")]
    [InlineData("""{"type":"int","logicalType":"time-millis"}""", "time-millis")]
    [InlineData("""{"type":"long","logicalType":"time-micros"}""", "time-micros")]
    [InlineData("""{"type":"string","logicalType":"uuid"}""", "uuid")]
    [InlineData("""{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}""", "decimal")]
    public void Recognises_logical_types(string json, string name)
    {
        Assert.Equal(name, ((PrimitiveSchema)AvroSchema.Parse(json)).LogicalType?.Name);
    }

    [Theory]
    [InlineData("""{"type":"int","logicalType":"timestamp-millis"}""")]
    [InlineData("""{"type":"string","logicalType":"date"}""")]
    [InlineData("""{"type":"long","logicalType":"no-such-type"}""")]
    [InlineData("""{"type":"bytes","logicalType":"decimal","precision":0}""")]
    [InlineData("""{"type":"bytes","logicalType":"decimal","precision":2,"scale":3}""")]
    [InlineData("""{"type":"bytes","logicalType":"decimal"}""")]
    public void Ignores_unknown_or_invalid_logical_type(string json)
    {
        var schema = (PrimitiveSchema)AvroSchema.Parse(json);
        Assert.Null(schema.LogicalType);
        Assert.True(schema.Properties.ContainsKey("logicalType"), "kept as a plain attribute so ToJson gives it back");
        Assert.Equal(JsonSerializer.Serialize(JsonDocument.Parse(json)), schema.ToJson());
    }

    [Fact]
    public void Recognises_fixed_decimal_only_within_the_precision_its_size_allows()
    {
        // 2 bytes hold at most 32767: four digits.
        Assert.NotNull(((FixedSchema)AvroSchema.Parse("""{"type":"fixed","name":"D","size":2,"logicalType":"decimal","precision":4}""")).LogicalType);
        Assert.Null(((FixedSchema)AvroSchema.Parse("""{"type":"fixed","name":"D","size":2,"logicalType":"decimal","precision":5}""")).LogicalType);
    }

    [Theory]
    [InlineData("""{"type":"record","name":"1abc","fields":[]}""", "Invalid type name '1abc'")]
    [InlineData("""{"type":"record","name":"a-b","fields":[]}""", "Invalid type name 'a-b'")]
    [InlineData("""{"type":"record","name":"R","namespace":"a..b","fields":[]}""", "Invalid namespace of 'R' 'a..b'")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"bad name","type":"int"}]}""", "Invalid field name in record 'R' 'bad name'")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"long"}]}""", "Record 'R' has two fields named 'a'")]
    [InlineData("""{"type":"enum","name":"E","symbols":["A","A"]}""", "Enum 'E' has the symbol 'A' twice")]
    [InlineData("""{"type":"enum","name":"E","symbols":["A","B"],"default":"C"}""", "Default 'C' of enum 'E' is not one of its symbols")]
    [InlineData("""{"type":"enum","name":"E","symbols":["A","9"]}""", "Invalid symbol of enum 'E' '9'")]
    [InlineData("""["int",["null","string"]]""", "A union may not directly contain another union")]
    [InlineData("""["int","string","int"]""", "A union may not contain 'int' twice")]
    [InlineData("""[{"type":"array","items":"int"},{"type":"array","items":"long"}]""", "A union may not contain 'array' twice")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"f","type":"int","default":"x"}]}""", "Default value \"x\" of field 'R.f' does not match its type")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"f","type":["null","int"],"default":1}]}""", "must match its first branch")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"f","type":"int","default":2147483648}]}""", "does not match its type")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"f","type":{"type":"fixed","name":"F","size":2},"default":"abc"}]}""", "does not match its type")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"f","type":"Missing"}]}""", "Unknown type 'Missing'")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"f","type":{"type":"record","name":"R","fields":[]}}]}""", "Type 'R' is defined twice")]
    [InlineData("""{"type":"record","name":"int","fields":[]}""", "'int' is a primitive type name")]
    [InlineData("""{"type":"fixed","name":"F","size":-1}""", "must be a non-negative integer")]
    [InlineData("""{"type":"array"}""", "array needs \"items\"")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"f","type":"int","order":"sideways"}]}""", "must be ascending, descending or ignore")]
    [InlineData("""{"name":"R"}""", "needs a \"type\"")]
    [InlineData("""{"type":"record","name":"R","fields":[""", "not valid JSON")]
    [InlineData("42", "must be a type name, an object or an array")]
    public void Rejects_invalid_schema_with_a_clear_message(string json, string expected)
    {
        var e = Assert.Throws<AvroSchemaException>(() => AvroSchema.Parse(json));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_defaults_of_every_type()
    {
        var schema = (RecordSchema)AvroSchema.Parse("""
            {"type":"record","name":"R","fields":[
              {"name":"n","type":"null","default":null},
              {"name":"b","type":"boolean","default":true},
              {"name":"f","type":"float","default":1.5},
              {"name":"by","type":"bytes","default":"\u00ff\u0000"},
              {"name":"fx","type":{"type":"fixed","name":"F","size":2},"default":"ab"},
              {"name":"e","type":{"type":"enum","name":"E","symbols":["A"]},"default":"A"},
              {"name":"a","type":{"type":"array","items":"int"},"default":[1,2]},
              {"name":"m","type":{"type":"map","values":"string"},"default":{"k":"v"}},
              {"name":"u","type":["string","null"],"default":"x"},
              {"name":"r","type":{"type":"record","name":"S","fields":[{"name":"x","type":"int"},{"name":"y","type":"int","default":0}]},"default":{"x":1}},
              {"name":"self","type":["null","R"],"default":null}]}
            """);
        Assert.Equal(11, schema.Fields.Count);
    }

    [Fact]
    public void ToJson_round_trips_every_attribute()
    {
        const string json = """{"type":"record","name":"R","namespace":"a.b","doc":"d","aliases":["a.b.Old"],"fields":[{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"},"default":0,"doc":"when","order":"ignore","aliases":["t"]},{"name":"e","type":{"type":"enum","name":"E","namespace":"c","symbols":["X","Y"],"default":"Y"}},{"name":"again","type":"c.E"},{"name":"d","type":{"type":"fixed","name":"D","size":8,"logicalType":"decimal","precision":10,"scale":2}},{"name":"m","type":{"type":"map","values":{"type":"array","items":"R"}}}],"x-owner":"team"}""";
        var schema = AvroSchema.Parse(json);
        Assert.Equal(json, schema.ToJson());
        Assert.Equal(schema.ToCanonicalForm(), AvroSchema.Parse(schema.ToJson()).ToCanonicalForm());
    }
}
