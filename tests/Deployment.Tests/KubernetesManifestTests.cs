using System.Text.Json.Nodes;

namespace Streaming.Deployment.Tests;

/// <summary>Every overlay renders, and every container in it is fit to run in production.</summary>
public sealed class KubernetesManifestTests
{
    private static readonly string[] LongRunningKinds = ["Deployment", "StatefulSet", "DaemonSet"];
    private static readonly string[] WorkloadKinds = [.. LongRunningKinds, "Job", "CronJob"];

    private static IEnumerable<string> OverlayNames() =>
        Directory.GetDirectories(Tools.PathOf("k8s", "overlays")).Select(d => Path.GetFileName(d)).Order();

    public static TheoryData<string> Overlays() => new(OverlayNames());

    [Fact]
    public void There_are_dev_and_prod_overlays() =>
        Assert.Subset(OverlayNames().ToHashSet(), new HashSet<string> { "dev", "prod" });

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_container_has_probes_limits_a_non_root_user_and_a_pinned_image(string overlay)
    {
        var problems = new List<string>();
        var workloads = Render(overlay).Where(d => WorkloadKinds.Contains(Kind(d))).ToList();
        Assert.NotEmpty(workloads);
        foreach (var workload in workloads)
        {
            var pod = PodSpec(workload);
            var podNonRoot = pod["securityContext"]?["runAsNonRoot"]?.GetValue<bool>() == true;
            foreach (var container in Containers(pod))
            {
                var where = $"{Kind(workload)}/{Name(workload)} container {container["name"]}";
                if (LongRunningKinds.Contains(Kind(workload)))
                {
                    foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
                    {
                        if (container[probe] is not JsonObject)
                        {
                            problems.Add($"{where}: no {probe}");
                        }
                    }
                }

                foreach (var section in new[] { "requests", "limits" })
                {
                    foreach (var resource in new[] { "cpu", "memory" })
                    {
                        if (container["resources"]?[section]?[resource] is null)
                        {
                            problems.Add($"{where}: no resources.{section}.{resource}");
                        }
                    }
                }

                var containerNonRoot = container["securityContext"]?["runAsNonRoot"]?.GetValue<bool>();
                if (!(containerNonRoot ?? podNonRoot))
                {
                    problems.Add($"{where}: runAsNonRoot is not true");
                }

                if (container["securityContext"]?["allowPrivilegeEscalation"]?.GetValue<bool>() != false)
                {
                    problems.Add($"{where}: allowPrivilegeEscalation is not false");
                }

                var image = container["image"]?.GetValue<string>() ?? "";
                if (!IsPinned(image))
                {
                    problems.Add($"{where}: image '{image}' is not pinned (needs a version tag other than latest, or a digest)");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_status_service_is_probed_over_grpc_health(string overlay)
    {
        var status = Render(overlay).Single(d => Kind(d) == "Deployment" && Name(d) == "status");
        var container = Assert.Single(Containers(PodSpec(status)));
        Assert.NotNull(container["readinessProbe"]?["grpc"]?["port"]);
        Assert.NotNull(container["livenessProbe"]?["grpc"]?["port"]);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Long_running_workloads_have_disruption_budgets_and_the_ingress_an_autoscaler(string overlay)
    {
        var documents = Render(overlay);
        var budgets = documents.Where(d => Kind(d) == "PodDisruptionBudget").ToList();
        foreach (var workload in documents.Where(d => LongRunningKinds.Contains(Kind(d))))
        {
            var labels = workload["spec"]!["selector"]!["matchLabels"]!.AsObject();
            Assert.True(
                budgets.Any(b => b["spec"]!["selector"]!["matchLabels"]!.AsObject().All(l => labels[l.Key]?.ToString() == l.Value!.ToString())),
                $"{Kind(workload)}/{Name(workload)} has no PodDisruptionBudget");
        }

        var hpa = Assert.Single(documents, d => Kind(d) == "HorizontalPodAutoscaler");
        Assert.Equal("Deployment", hpa["spec"]!["scaleTargetRef"]!["kind"]!.GetValue<string>());
        Assert.Equal("ingress", hpa["spec"]!["scaleTargetRef"]!["name"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void No_secret_values_are_in_git_only_references_to_them(string overlay)
    {
        var documents = Render(overlay);
        Assert.DoesNotContain(documents, d => Kind(d) == "Secret");
        var ingress = documents.Single(d => Kind(d) == "Deployment" && Name(d) == "ingress");
        var env = Assert.Single(Containers(PodSpec(ingress)))["env"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var providerKeys = env.Where(e => e["name"]!.GetValue<string>().StartsWith("Ingress__Providers__", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(providerKeys);
        Assert.All(providerKeys, e =>
        {
            Assert.Null(e["value"]);
            Assert.NotNull(e["valueFrom"]?["secretKeyRef"]);
        });
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_service_takes_its_kafka_and_registry_credentials_from_a_secret(string overlay)
    {
        foreach (var name in new[] { "ingress", "normalizer", "status" })
        {
            var workload = Render(overlay).Single(d => Kind(d) is "Deployment" or "StatefulSet" && Name(d) == name);
            var sources = Assert.Single(Containers(PodSpec(workload)))["envFrom"]!.AsArray();
            Assert.Contains(sources, s => s!["secretRef"]?["name"]?.GetValue<string>() == "streaming-client-credentials");
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void No_network_policy_admits_every_namespace(string overlay)
    {
        foreach (var policy in Render(overlay).Where(d => Kind(d) == "NetworkPolicy"))
        {
            foreach (var peer in policy["spec"]!["ingress"]?.AsArray().SelectMany(rule => rule!["from"]?.AsArray() ?? []) ?? [])
            {
                if (peer!["namespaceSelector"] is { } selector)
                {
                    Assert.True(selector.AsObject().Count > 0, $"{Name(policy)} admits pods from any namespace (empty namespaceSelector)");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_topic_has_min_insync_replicas_no_higher_than_its_replication_factor(string overlay)
    {
        var topics = Render(overlay).Single(d => Kind(d) == "ConfigMap" && Name(d) == "kafka-topics")["data"]!["topics.txt"]!.GetValue<string>();
        foreach (var line in topics.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(fields.Length is 4 or 5, $"'{line}': expected name, partitions, replication factor, min.insync.replicas and optional key=value,... settings");
            Assert.True(int.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture) <= int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture),
                $"'{line}' in {overlay}: min.insync.replicas above the replication factor refuses every acks=all write");
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_status_topic_is_log_compacted_with_the_settings_the_platform_uses(string overlay)
    {
        var topics = Render(overlay).Single(d => Kind(d) == "ConfigMap" && Name(d) == "kafka-topics")["data"]!["topics.txt"]!.GetValue<string>();
        var line = Assert.Single(topics.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), l => l.StartsWith("documents.status.v1 ", StringComparison.Ordinal));
        var settings = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[4].Split(',').Select(s => s.Split('=')).ToDictionary(kv => kv[0], kv => kv[1]);
        // As src/Streaming.Kafka/KafkaTopics.cs (StatusTopicConfig) and docker-compose.yml have them.
        Assert.Equal(new Dictionary<string, string>
        {
            ["cleanup.policy"] = "compact",
            ["min.compaction.lag.ms"] = "3600000",
            ["delete.retention.ms"] = "604800000",
        }, settings);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_status_api_requires_bearer_tokens_taken_from_a_secret(string overlay)
    {
        var status = Render(overlay).Single(d => Kind(d) == "Deployment" && Name(d) == "status");
        var env = Assert.Single(Containers(PodSpec(status)))["env"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var current = Assert.Single(env, e => e["name"]!.GetValue<string>() == "Grpc__BearerTokens__0");
        Assert.Null(current["value"]);
        Assert.Equal("streaming-status-api", current["valueFrom"]!["secretKeyRef"]!["name"]!.GetValue<string>());
        Assert.False(current["valueFrom"]!["secretKeyRef"]!["optional"]?.GetValue<bool>() ?? false);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Services_network_policies_provider_configuration_and_topics_are_defined(string overlay)
    {
        var documents = Render(overlay);
        Assert.Contains(documents, d => Kind(d) == "Service" && Name(d) == "ingress");
        Assert.Contains(documents, d => Kind(d) == "Service" && Name(d) == "status");
        Assert.Contains(documents, d => Kind(d) == "NetworkPolicy" && d["spec"]!["podSelector"]!.AsObject().Count == 0);
        var config = documents.Single(d => Kind(d) == "ConfigMap" && Name(d) == "streaming-config");
        Assert.NotNull(config["data"]!["Ingress__Providers__inkless__Profile"]);
        var topics = documents.Single(d => Kind(d) == "ConfigMap" && Name(d) == "kafka-topics")["data"]!["topics.txt"]!.GetValue<string>();
        foreach (var topic in new[] { "webhooks.raw.v1", "webhooks.raw.dlq.v1", "documents.events.v1", "documents.status.v1" })
        {
            Assert.Contains(topic, topics, StringComparison.Ordinal);
        }

        Assert.Contains(documents, d => Kind(d) == "Job" && Name(d) == "create-topics");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_contract_is_registered_by_a_Job_and_the_normalizer_does_not_auto_register(string overlay)
    {
        var documents = Render(overlay);
        var job = documents.Single(d => Kind(d) == "Job" && Name(d) == "register-schemas");
        var volumes = PodSpec(job)["volumes"]!.AsArray();
        Assert.Contains(volumes, v => v!["configMap"]?["name"]?.GetValue<string>() == "avro-contracts");
        var script = documents.Single(d => Kind(d) == "ConfigMap" && Name(d) == "register-schemas")["data"]!["register-schemas.sh"]!.GetValue<string>();
        Assert.Contains("documents.events.v1-value:/contracts/DocumentEvent.avsc", script, StringComparison.Ordinal);
        Assert.Contains("documents.status.v1-value:/contracts/DocumentStatus.avsc", script, StringComparison.Ordinal);
        Assert.Contains("/subjects/$subject/versions", script, StringComparison.Ordinal);
        // Writable only while the Job runs: READWRITE first, READONLY last.
        Assert.True(script.IndexOf("{\"mode\":\"READWRITE\"}", StringComparison.Ordinal) is var open and >= 0 && open < script.IndexOf("/subjects/$subject/versions", StringComparison.Ordinal));
        Assert.True(script.LastIndexOf("{\"mode\":\"READONLY\"}", StringComparison.Ordinal) > script.LastIndexOf("/subjects/$subject/versions", StringComparison.Ordinal));
        var config = documents.Single(d => Kind(d) == "ConfigMap" && Name(d) == "streaming-config")["data"]!;
        Assert.Equal("false", config["Normalizer__AutoRegisterSchemas"]!.GetValue<string>());
        Assert.Equal("false", config["Status__AutoRegisterSchemas"]!.GetValue<string>());
        Assert.NotNull(config["SchemaRegistry__Url"]);
    }

    [Theory]
    [InlineData("streaming/ingress:1.0.0", true)]
    [InlineData("registry.example.com:5000/streaming/ingress:1.0.0", true)]
    [InlineData("streaming/ingress@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [InlineData("streaming/ingress", false)]
    [InlineData("streaming/ingress:latest", false)]
    [InlineData("registry.example.com:5000/streaming/ingress", false)]
    public void Pinned_images_have_a_version_tag_or_a_digest(string image, bool pinned) => Assert.Equal(pinned, IsPinned(image));

    internal static bool IsPinned(string image)
    {
        if (image.Contains("@sha256:", StringComparison.Ordinal))
        {
            return true;
        }

        var lastSegment = image[(image.LastIndexOf('/') + 1)..];
        var colon = lastSegment.LastIndexOf(':');
        if (colon < 0)
        {
            return false;
        }

        var tag = lastSegment[(colon + 1)..];
        return tag.Length > 0 && tag != "latest" && tag.Any(char.IsDigit);
    }

    private static IReadOnlyList<JsonObject> Render(string overlay) => Tools.Kustomize(Tools.PathOf("k8s", "overlays", overlay));

    private static string Kind(JsonObject d) => d["kind"]!.GetValue<string>();

    private static string Name(JsonObject d) => d["metadata"]!["name"]!.GetValue<string>();

    private static JsonObject PodSpec(JsonObject workload) => Kind(workload) == "CronJob"
        ? workload["spec"]!["jobTemplate"]!["spec"]!["template"]!["spec"]!.AsObject()
        : workload["spec"]!["template"]!["spec"]!.AsObject();

    private static IEnumerable<JsonObject> Containers(JsonObject pod) =>
        (pod["containers"]?.AsArray() ?? []).Concat(pod["initContainers"]?.AsArray() ?? []).Select(c => c!.AsObject());
}
