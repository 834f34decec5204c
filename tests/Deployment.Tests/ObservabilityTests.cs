using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Streaming.Deployment.Tests;

/// <summary>
/// The Grafana dashboard and the Prometheus alert rules in k8s/observability parse, are complete, and ask only for
/// metrics the services define (their OpenTelemetry instruments, under the Prometheus exporter's naming). The
/// end-to-end telemetry test checks the same names against a live scrape of the running platform.
/// </summary>
public sealed partial class ObservabilityTests
{
    /// <summary>Metrics of instrumentation the services enable but do not define (ASP.NET Core's).</summary>
    private static readonly string[] FrameworkMetrics =
        ["http_server_request_duration_seconds_bucket", "http_server_request_duration_seconds_count", "http_server_request_duration_seconds_sum"];

    [Fact]
    public void The_dashboard_is_grafana_json_whose_panels_all_query_prometheus()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(Tools.PathOf("k8s", "observability", "grafana-dashboard.json")))!.AsObject();
        Assert.False(string.IsNullOrEmpty(dashboard["uid"]?.GetValue<string>()), "the dashboard needs a stable uid");
        Assert.Contains(dashboard["templating"]!["list"]!.AsArray(), v => v!["name"]!.GetValue<string>() == "datasource" && v["type"]!.GetValue<string>() == "datasource");
        var panels = dashboard["panels"]!.AsArray().Select(p => p!.AsObject()).Where(p => p["type"]!.GetValue<string>() != "row").ToList();
        Assert.True(panels.Count >= 10, $"only {panels.Count} panels");
        Assert.Equal(dashboard["panels"]!.AsArray().Count, dashboard["panels"]!.AsArray().Select(p => p!["id"]!.GetValue<int>()).Distinct().Count());
        foreach (var panel in panels)
        {
            var title = panel["title"]!.GetValue<string>();
            var targets = panel["targets"]?.AsArray() ?? [];
            Assert.True(targets.Count > 0, $"panel '{title}' has no query");
            foreach (var target in targets)
            {
                var expr = target!["expr"]!.GetValue<string>();
                Assert.True(Balanced(expr), $"panel '{title}': unbalanced brackets in {expr}");
                Assert.NotEmpty(MetricNames(expr));
            }
        }

        // The first questions on call: webhooks per provider, rejections and why, lag, DLQ.
        var all = string.Join('\n', panels.SelectMany(p => p["targets"]!.AsArray()).Select(t => t!["expr"]!.GetValue<string>()));
        foreach (var needed in new[] { "streaming_ingress_webhooks_received_total", "streaming_ingress_webhooks_rejected_total", "streaming_kafka_consumer_lag", "streaming_normalizer_events_dead_lettered_total" })
        {
            Assert.Contains(needed, all, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_alert_rules_parse_and_cover_lag_dead_letters_503s_and_signature_failures()
    {
        var rules = AlertRules();
        foreach (var rule in rules)
        {
            var name = rule["alert"]!.GetValue<string>();
            Assert.True(Balanced(rule["expr"]!.GetValue<string>()), $"{name}: unbalanced brackets");
            Assert.NotNull(rule["labels"]?["severity"]);
            Assert.NotNull(rule["annotations"]?["summary"]);
            if (rule["for"] is { } duration)
            {
                Assert.Matches(DurationPattern(), duration.GetValue<string>());
            }
        }

        var names = rules.Select(r => r["alert"]!.GetValue<string>()).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Contains(rules, r => r["expr"]!.GetValue<string>().Contains("streaming_kafka_consumer_lag", StringComparison.Ordinal));
        Assert.Contains(rules, r => r["expr"]!.GetValue<string>().Contains("streaming_normalizer_events_dead_lettered_total", StringComparison.Ordinal));
        Assert.Contains(rules, r => r["expr"]!.GetValue<string>().Contains("storage_unavailable", StringComparison.Ordinal));
        Assert.Contains(rules, r => r["expr"]!.GetValue<string>().Contains("signature_", StringComparison.Ordinal) && r["expr"]!.GetValue<string>().Contains("by (provider)", StringComparison.Ordinal));
    }

    [Fact]
    public void The_dashboard_and_the_alerts_ask_only_for_metrics_the_services_define()
    {
        var defined = DefinedMetrics().Concat(FrameworkMetrics).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("streaming_ingress_webhooks_received_total", defined);
        Assert.Contains("streaming_kafka_consumer_lag", defined);

        var referenced = ReferencedMetrics();
        var unknown = referenced.Where(m => !defined.Contains(m)).ToList();
        Assert.True(unknown.Count == 0, $"not defined by any service: {string.Join(", ", unknown)}\ndefined: {string.Join(", ", defined.Order())}");
    }

    [Fact]
    public void Every_service_is_scraped_on_its_metrics_port_and_the_scraper_may_reach_it()
    {
        var documents = Tools.Kustomize(Tools.PathOf("k8s", "overlays", "prod"));
        foreach (var name in new[] { "ingress", "normalizer", "status" })
        {
            var workload = documents.Single(d => d["kind"]!.GetValue<string>() is "Deployment" or "StatefulSet" && d["metadata"]!["name"]!.GetValue<string>() == name);
            var annotations = workload["spec"]!["template"]!["metadata"]!["annotations"]!;
            Assert.Equal("true", annotations["prometheus.io/scrape"]!.GetValue<string>());
            Assert.Equal("/metrics", annotations["prometheus.io/path"]!.GetValue<string>());
            var port = int.Parse(annotations["prometheus.io/port"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
            var container = workload["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single()!;
            Assert.Contains(container["ports"]!.AsArray(), p => p!["containerPort"]!.GetValue<int>() == port);

            var admitted = documents.Where(d => d["kind"]!.GetValue<string>() == "NetworkPolicy"
                && Selects(d["spec"]!["podSelector"]!, name)
                && (d["spec"]!["ingress"]?.AsArray() ?? []).Any(rule => rule!["ports"]!.AsArray().Any(p => p!["port"]!.GetValue<int>() == port)));
            Assert.True(admitted.Any(), $"no NetworkPolicy admits scrapes of {name} on port {port}");
        }

        // The ingress's public port serves webhooks, not metrics.
        var ingress = documents.Single(d => d["kind"]!.GetValue<string>() == "Deployment" && d["metadata"]!["name"]!.GetValue<string>() == "ingress");
        var env = ingress["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray();
        Assert.Contains(env, e => e!["name"]!.GetValue<string>() == "Telemetry__MetricsPort" && e["value"]!.GetValue<string>() == "9090");
    }

    /// <summary>The Prometheus metric names the services' instruments become (OpenTelemetry's Prometheus exporter naming).</summary>
    internal static IEnumerable<string> DefinedMetrics()
    {
        var sources = new[] { "services", "src" }.SelectMany(d => Directory.EnumerateFiles(Tools.PathOf(d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        foreach (var file in sources)
        {
            var code = File.ReadAllText(file);
            foreach (Match m in InstrumentCreation().Matches(code))
            {
                var name = m.Groups["name"].Success ? m.Groups["name"].Value : Constant(code, m.Groups["constant"].Value);
                var unit = m.Groups["unit"].Value;
                var baseName = name.Replace('.', '_') + unit switch
                {
                    "s" => "_seconds",
                    "By" => "_bytes",
                    "1" => "_ratio",
                    _ => "",
                };
                switch (m.Groups["kind"].Value)
                {
                    case "Counter":
                    case "ObservableCounter":
                        yield return baseName + "_total";
                        break;
                    case "Histogram":
                        yield return baseName + "_bucket";
                        yield return baseName + "_sum";
                        yield return baseName + "_count";
                        break;
                    default:
                        yield return baseName;
                        break;
                }
            }
        }
    }

    /// <summary>Every metric name the dashboard and the alert rules query.</summary>
    internal static IReadOnlyCollection<string> ReferencedMetrics()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(Tools.PathOf("k8s", "observability", "grafana-dashboard.json")))!;
        var expressions = dashboard["panels"]!.AsArray().SelectMany(p => p!["targets"]?.AsArray() ?? []).Select(t => t!["expr"]!.GetValue<string>())
            .Concat(AlertRules().Select(r => r["expr"]!.GetValue<string>()));
        return expressions.SelectMany(MetricNames).ToHashSet(StringComparer.Ordinal);
    }

    private static List<JsonObject> AlertRules()
    {
        const string toJson = "import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)";
        var (code, json, error) = Tools.Run("/usr/bin/python3", ["-c", toJson], "Debian's python3 with PyYAML (apt-get install python3-yaml)",
            File.ReadAllText(Tools.PathOf("k8s", "observability", "alerts.rules.yaml")));
        Assert.True(code == 0, $"PyYAML could not read alerts.rules.yaml: {error}");
        var groups = JsonNode.Parse(json)!["groups"]!.AsArray();
        Assert.NotEmpty(groups);
        return groups.SelectMany(g => g!["rules"]!.AsArray()).Select(r => r!.AsObject()).ToList();
    }

    /// <summary>The metric names of a PromQL expression: what is left once strings, label matchers, ranges and grouping clauses go.</summary>
    private static IEnumerable<string> MetricNames(string expr)
    {
        var bare = Regex.Replace(expr, @"""[^""]*""", "");
        bare = Regex.Replace(bare, @"\{[^}]*\}|\[[^\]]*\]", " ");
        bare = Regex.Replace(bare, @"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ");
        return Identifier().Matches(bare).Select(m => m.Value).Where(n => !PromQlKeywords.Contains(n));
    }

    private static readonly HashSet<string> PromQlKeywords = new(StringComparer.Ordinal) { "and", "or", "unless", "bool", "offset" };

    private static bool Selects(JsonNode selector, string app)
    {
        if (selector["matchLabels"]?["app.kubernetes.io/name"]?.GetValue<string>() is { } label)
        {
            return label == app;
        }

        return selector["matchExpressions"]?.AsArray().Any(e => e!["key"]!.GetValue<string>() == "app.kubernetes.io/name"
            && e["operator"]!.GetValue<string>() == "In" && e["values"]!.AsArray().Any(v => v!.GetValue<string>() == app)) == true;
    }

    private static bool Balanced(string expr)
    {
        var stack = new Stack<char>();
        var quoted = false;
        foreach (var c in expr)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '(' or '[' or '{')
            {
                stack.Push(c);
            }
            else if (!quoted && c is ')' or ']' or '}')
            {
                if (stack.Count == 0 || stack.Pop() != c switch { ')' => '(', ']' => '[', _ => '{' })
                {
                    return false;
                }
            }
        }

        return stack.Count == 0 && !quoted;
    }

    private static string Constant(string code, string identifier)
    {
        var match = Regex.Match(code, $@"const string {Regex.Escape(identifier)} = ""(?<value>[^""]+)""");
        Assert.True(match.Success, $"instrument name constant {identifier} not found");
        return match.Groups["value"].Value;
    }

    // meter.CreateCounter<long>("name", "unit", ...), CreateHistogram("name", "s", ...), CreateObservableGauge(Constant, callback, "unit", ...)
    [GeneratedRegex(@"\.Create(?<kind>Counter|Histogram|UpDownCounter|ObservableGauge|ObservableCounter|ObservableUpDownCounter)(<[^>]+>)?\(\s*(""(?<name>[^""]+)""|(?<constant>[A-Z]\w*))\s*,\s*(?:[^,""]+,\s*)?""(?<unit>[^""]*)""")]
    private static partial Regex InstrumentCreation();

    // An identifier that is not a function call (not followed by "(") and not part of a number (1e-9).
    [GeneratedRegex(@"(?<![\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*(?![\w(]|\s*\()")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^\d+[smhd]$")]
    private static partial Regex DurationPattern();
}
