namespace Streaming.Contracts.Tests;

/// <summary>Fails (never skips) an interop test when Apache's Python avro is not installed.</summary>
internal static class InteropRequirement
{
    public static void RequirePythonAvro() =>
        Streaming.Testing.InteropTools.RequireDebianPythonAsync("import avro.io, avro.schema", "python3-avro").GetAwaiter().GetResult();
}
