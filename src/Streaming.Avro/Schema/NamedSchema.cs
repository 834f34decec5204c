using System.Text.Json;

namespace Streaming.Avro;

/// <summary>What records, enums and fixed types share: a name in a namespace, aliases and documentation.</summary>
public abstract class NamedSchema : AvroSchema
{
    private protected NamedSchema(string name, string? @namespace, IReadOnlyList<string> aliases, string? doc, IReadOnlyDictionary<string, JsonElement>? properties)
        : base(properties)
    {
        Name = name;
        Namespace = string.IsNullOrEmpty(@namespace) ? null : @namespace;
        FullName = Namespace is null ? name : $"{Namespace}.{name}";
        Aliases = aliases;
        Doc = doc;
    }

    /// <summary>The unqualified name.</summary>
    public string Name { get; }

    /// <summary>The namespace, or null for the null namespace.</summary>
    public string? Namespace { get; }

    /// <summary>Namespace and name joined with a dot: the identity of the type.</summary>
    public string FullName { get; }

    /// <summary>Alternative full names, used when this schema reads data written under another name.</summary>
    public IReadOnlyList<string> Aliases { get; }

    public string? Doc { get; }

    /// <summary>Whether a writer's type with this full name resolves to this (reader) type: same full or unqualified name, or an alias.</summary>
    internal bool MatchesWriterName(NamedSchema writer)
    {
        if (FullName == writer.FullName || Name == writer.Name)
        {
            return true;
        }

        foreach (string alias in Aliases)
        {
            if (alias == writer.FullName || UnqualifiedName(alias) == writer.Name)
            {
                return true;
            }
        }

        return false;
    }

    internal static string UnqualifiedName(string fullName) => fullName[(fullName.LastIndexOf('.') + 1)..];
}
