namespace Streaming.Avro;

/// <summary>The spec's rules for names: [A-Za-z_][A-Za-z0-9_]*, dot-separated in full names.</summary>
internal static class SchemaNames
{
    public static void ValidateName(string name, string what)
    {
        if (!IsValidName(name))
        {
            throw new AvroSchemaException($"Invalid {what} '{name}': a name starts with a letter or '_' and contains only letters, digits and '_'");
        }
    }

    public static void ValidateFullName(string fullName, string what)
    {
        foreach (string part in fullName.Split('.'))
        {
            if (!IsValidName(part))
            {
                throw new AvroSchemaException($"Invalid {what} '{fullName}': each dot-separated part starts with a letter or '_' and contains only letters, digits and '_'");
            }
        }
    }

    private static bool IsValidName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
