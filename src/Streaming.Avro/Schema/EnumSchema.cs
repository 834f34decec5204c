using System.Text.Json;

namespace Streaming.Avro;

/// <summary>An enum type: a fixed list of symbols, encoded as the symbol's position.</summary>
public sealed class EnumSchema : NamedSchema
{
    private readonly Dictionary<string, int> positions;

    internal EnumSchema(string name, string? @namespace, IReadOnlyList<string> aliases, string? doc, IReadOnlyList<string> symbols, string? @default, IReadOnlyDictionary<string, JsonElement>? properties)
        : base(name, @namespace, aliases, doc, properties)
    {
        Symbols = symbols;
        Default = @default;
        positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < symbols.Count; i++)
        {
            positions[symbols[i]] = i;
        }
    }

    public override AvroType Type => AvroType.Enum;

    public IReadOnlyList<string> Symbols { get; }

    /// <summary>The symbol a reader uses for a writer's symbol it does not know, or null (then that is an error).</summary>
    public string? Default { get; }

    /// <summary>The position of a symbol, or -1.</summary>
    public int IndexOf(string symbol) => positions.GetValueOrDefault(symbol, -1);
}
