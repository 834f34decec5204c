namespace Streaming.SchemaRegistry.Tests;

/// <summary>Schemas for tests: a record in three shapes and an enum with fewer symbols.</summary>
internal static class Schemas
{
    public const string UserV1 = """
        {"type":"record","name":"User","namespace":"test","fields":[
          {"name":"id","type":"string"},
          {"name":"age","type":"int"}
        ]}
        """;

    /// <summary>V1 plus a field with a default: BACKWARD compatible.</summary>
    public const string UserV2WithDefault = """
        {"type":"record","name":"User","namespace":"test","fields":[
          {"name":"id","type":"string"},
          {"name":"age","type":"int"},
          {"name":"email","type":["null","string"],"default":null}
        ]}
        """;

    /// <summary>V1 plus a field without a default: a new reader cannot read old data, so not BACKWARD compatible.</summary>
    public const string UserV2WithoutDefault = """
        {"type":"record","name":"User","namespace":"test","fields":[
          {"name":"id","type":"string"},
          {"name":"age","type":"int"},
          {"name":"email","type":"string"}
        ]}
        """;

    public const string Invalid = """{"type":"record","name":"Broken","fields":[{"name":"x","type":"no_such_type"}]}""";

    public const string Status = """{"type":"enum","name":"Status","namespace":"test","symbols":["PENDING","DONE"]}""";

    /// <summary>A new reader without DONE (and no enum default) cannot read old data holding DONE.</summary>
    public const string StatusWithoutDone = """{"type":"enum","name":"Status","namespace":"test","symbols":["PENDING"]}""";
}
