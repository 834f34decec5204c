
namespace Streaming.SchemaRegistry.Server;

/// <summary>Settings of the embedded registry endpoint (configuration section <c>SchemaRegistry</c>).</summary>
public sealed class SchemaRegistryServerOptions
{
    public const string SectionName = "SchemaRegistry";

    /// <summary>The SQLite file that keeps schemas across restarts; null or empty keeps them in memory only.</summary>
    public string? StorePath { get; set; }

    /// <summary>The global compatibility level until one is set through <c>PUT /config</c>.</summary>
    public CompatibilityLevel DefaultCompatibility { get; set; } = CompatibilityLevelNames.Default;

    /// <summary>
    /// Start in READONLY mode (Confluent's <c>/mode</c>): registering, deleting and changing compatibility are refused
    /// with 42205 until <c>PUT /mode {"mode":"READWRITE"}</c>; lookups and reads go on.
    /// </summary>
    public bool ReadOnly { get; set; }
}
