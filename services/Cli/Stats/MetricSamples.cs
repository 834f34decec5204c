using System.Globalization;

namespace Streaming.Cli.Stats;

/// <summary>One sample of a Prometheus text exposition: metric name, labels, value.</summary>
public sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string name) => Labels.TryGetValue(name, out var value) ? value : "";
}

/// <summary>Reads the Prometheus text format (version 0.0.4) the services' /metrics endpoints serve.</summary>
public static class MetricSamples
{
    public static List<MetricSample> Parse(string text)
    {
        var samples = new List<MetricSample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            string name;
            int rest;
            if (brace >= 0 && (space < 0 || brace < space))
            {
                name = line[..brace];
                rest = ParseLabels(line, brace + 1, labels);
            }
            else
            {
                name = space < 0 ? line : line[..space];
                rest = name.Length;
            }

            // "value [timestamp]"
            var fields = line[rest..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 0 && double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                samples.Add(new MetricSample(name, labels, value));
            }
            else if (fields.Length > 0 && fields[0] is "+Inf" or "-Inf" or "NaN")
            {
                samples.Add(new MetricSample(name, labels, fields[0] switch { "+Inf" => double.PositiveInfinity, "-Inf" => double.NegativeInfinity, _ => double.NaN }));
            }
        }

        return samples;
    }

    /// <summary>Sum of a metric's samples whose labels match every pair in <paramref name="where"/>.</summary>
    public static double Sum(this IEnumerable<MetricSample> samples, string name, params (string Label, string Value)[] where) =>
        samples.Where(s => s.Name == name && where.All(w => s.Label(w.Label) == w.Value)).Sum(s => s.Value);

    private static int ParseLabels(string line, int i, Dictionary<string, string> labels)
    {
        while (i < line.Length && line[i] != '}')
        {
            var equals = line.IndexOf('=', i);
            var key = line[i..equals].Trim(' ', ',');
            i = equals + 2; // past ="
            var value = new System.Text.StringBuilder();
            while (i < line.Length && line[i] != '"')
            {
                if (line[i] == '\\' && i + 1 < line.Length)
                {
                    i++;
                    value.Append(line[i] == 'n' ? '\n' : line[i]);
                }
                else
                {
                    value.Append(line[i]);
                }

                i++;
            }

            labels[key] = value.ToString();
            i++; // past the closing quote
            while (i < line.Length && line[i] is ',' or ' ')
            {
                i++;
            }
        }

        return Math.Min(line.Length, i + 1);
    }
}
