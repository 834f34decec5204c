using System.Reflection;
using Streaming.Normalizer.Contract;

namespace Streaming.Normalizer.Mapping;

/// <summary>Every provider's mapping table, parsed at start from the markdown linked into this assembly.</summary>
public sealed class MappingCatalog
{
    private const string Prefix = "contracts/mappings/";

    public MappingCatalog(IEnumerable<MappingTable> tables)
    {
        Tables = tables.ToDictionary(t => t.Provider, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyDictionary<string, MappingTable> Tables { get; }

    /// <summary>The built-in tables (contracts/mappings/*.md); a malformed table fails here, at start.</summary>
    public static MappingCatalog LoadEmbedded()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var vocabulary = MappingVocabulary.FromContract();
        var tables = new List<MappingTable>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".md", StringComparison.Ordinal)))
        {
            var provider = Path.GetFileNameWithoutExtension(name[Prefix.Length..]);
            if (provider.Equals("README", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            tables.Add(MappingTableParser.Parse(provider, reader.ReadToEnd(), vocabulary));
        }

        return new MappingCatalog(tables);
    }

    public MappingTable? Find(string provider) => Tables.GetValueOrDefault(provider);
}
