using System.Xml.Linq;

namespace Streaming.Deployment.Tests;

/// <summary>
/// How the Kafka client reaches the projects: only through central package management (Directory.Build.targets'
/// UsesKafka switch), and every executable or test project that can load Confluent.Kafka opts in, so it compiles
/// the module initializer that points Confluent.Kafka at the bundled librdkafka before any Kafka type runs.
/// </summary>
public sealed class KafkaWiringTests
{
    private static readonly string[] Folders = ["src", "services", "tests", "bench", "samples"];

    [Fact]
    public void Confluent_kafka_and_librdkafka_come_only_from_central_package_management()
    {
        var problems = new List<string>();
        foreach (var (path, project) in Projects())
        {
            foreach (var element in project.Descendants())
            {
                var include = (string?)element.Attribute("Include") ?? "";
                var mentionsKafka = include.StartsWith("Confluent.Kafka", StringComparison.Ordinal) || include.StartsWith("librdkafka", StringComparison.Ordinal);
                if (mentionsKafka || element.Name.LocalName == "HintPath" && element.Value.Contains("confluent.kafka", StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"{path}: {element.Name.LocalName} {include}{element.Value} (use <UsesKafka>true</UsesKafka>)");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        var packages = XDocument.Load(Tools.PathOf("Directory.Packages.props"));
        var versions = packages.Descendants("PackageVersion").ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!);
        Assert.Equal("$(LibrdkafkaVersion)", versions["Confluent.Kafka"]);
        Assert.Equal("$(LibrdkafkaVersion)", versions["librdkafka.redist"]);
    }

    [Fact]
    public void Every_entry_project_that_can_load_the_kafka_client_opts_in()
    {
        var projects = Projects().ToDictionary(p => Path.GetFullPath(p.Path), p => p.Project);
        var kafka = Path.GetFullPath(Tools.PathOf("src", "Streaming.Kafka", "Streaming.Kafka.csproj"));
        var missing = new List<string>();
        foreach (var (path, project) in projects)
        {
            var sdk = (string?)project.Root!.Attribute("Sdk") ?? "";
            var isEntry = sdk.EndsWith(".Web", StringComparison.Ordinal)
                || Property(project, "OutputType") == "Exe"
                || Property(project, "IsTestProject") == "true";
            if (isEntry && Closure(path, projects).Contains(kafka) && Property(project, "UsesKafka") != "true")
            {
                missing.Add(Path.GetRelativePath(Tools.RepoRoot, path));
            }
        }

        Assert.True(missing.Count == 0, "set <UsesKafka>true</UsesKafka> in: " + string.Join(", ", missing));
    }

    private static IEnumerable<(string Path, XDocument Project)> Projects() =>
        Folders.SelectMany(f => Directory.EnumerateFiles(Tools.PathOf(f), "*.csproj", SearchOption.AllDirectories))
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(p => (p, XDocument.Load(p)));

    private static string? Property(XDocument project, string name) =>
        project.Descendants(name).Select(e => e.Value.Trim()).LastOrDefault();

    private static HashSet<string> Closure(string path, Dictionary<string, XDocument> projects)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([path]);
        while (pending.TryPop(out var current))
        {
            if (!projects.TryGetValue(current, out var project))
            {
                continue;
            }

            foreach (var reference in project.Descendants("ProjectReference"))
            {
                var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(current)!, (string)reference.Attribute("Include")!));
                if (seen.Add(target))
                {
                    pending.Push(target);
                }
            }
        }

        return seen;
    }
}
