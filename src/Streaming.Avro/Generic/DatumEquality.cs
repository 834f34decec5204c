using System.Collections;
using System.Globalization;
using System.Text;

namespace Streaming.Avro;

/// <summary>Deep equality and a readable rendering for values of the generic data model.</summary>
internal static class DatumEquality
{
    public static new bool Equals(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (byte[] x, byte[] y) => x.AsSpan().SequenceEqual(y),
        (string x, string y) => x == y,
        (IDictionary x, IDictionary y) => DictionaryEqual(x, y),
        (IList x, IList y) => SequenceEqual(x, y),
        _ => a.Equals(b),
    };

    public static bool SequenceEqual(IList a, IList b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (int i = 0; i < a.Count; i++)
        {
            if (!Equals(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool DictionaryEqual(IDictionary a, IDictionary b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        foreach (DictionaryEntry entry in a)
        {
            if (!b.Contains(entry.Key) || !Equals(entry.Value, b[entry.Key]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A JSON-like rendering for messages and debugging; not a JSON encoding of Avro data.</summary>
    public static string Describe(object? datum)
    {
        var sb = new StringBuilder();
        Describe(datum, sb);
        return sb.ToString();
    }

    private static void Describe(object? datum, StringBuilder sb)
    {
        switch (datum)
        {
            case null:
                sb.Append("null");
                break;
            case string s:
                sb.Append('"').Append(s).Append('"');
                break;
            case byte[] bytes:
                sb.Append("0x").Append(Convert.ToHexString(bytes));
                break;
            case GenericRecord record:
                sb.Append('{');
                foreach (RecordField field in record.Schema.Fields)
                {
                    sb.Append(field.Position == 0 ? "" : ", ").Append('"').Append(field.Name).Append("\": ");
                    Describe(record[field.Position], sb);
                }

                sb.Append('}');
                break;
            case GenericEnum symbol:
                sb.Append(symbol.Symbol);
                break;
            case IDictionary map:
                sb.Append('{');
                bool first = true;
                foreach (DictionaryEntry entry in map)
                {
                    sb.Append(first ? "" : ", ").Append('"').Append(entry.Key).Append("\": ");
                    Describe(entry.Value, sb);
                    first = false;
                }

                sb.Append('}');
                break;
            case IList list:
                sb.Append('[');
                for (int i = 0; i < list.Count; i++)
                {
                    sb.Append(i == 0 ? "" : ", ");
                    Describe(list[i], sb);
                }

                sb.Append(']');
                break;
            case IFormattable formattable:
                sb.Append(formattable.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                sb.Append(datum);
                break;
        }
    }
}
