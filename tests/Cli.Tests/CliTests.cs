using System.Text.Json;
using Streaming.Cli.Sending;
using Streaming.Kafka.Embedded;

namespace Streaming.Cli.Tests;

/// <summary>The commands' output and exit codes, against real HTTP/2 and HTTP servers standing in for the platform.</summary>
public sealed class CliTests : IAsyncLifetime
{
    private FakeStatusServer _status = null!;

    public async Task InitializeAsync() => _status = await FakeStatusServer.StartAsync();

    public async Task DisposeAsync() => await _status.DisposeAsync();

    [Fact]
    public async Task Status_prints_the_document_readably()
    {
        var (code, output, _) = await Run("--grpc", _status.Address.ToString(), "status", FakeStatusServer.KnownToken);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("doc_known  COMPLETED  (inkless)", output, StringComparison.Ordinal);
        Assert.Contains("document_complete (DOCUMENT_COMPLETED)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_json_is_protobuf_json()
    {
        var (code, output, _) = await Run("--grpc", _status.Address.ToString(), "status", FakeStatusServer.KnownToken, "--json");
        Assert.Equal(ExitCodes.Ok, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("doc_known", json.RootElement.GetProperty("documentToken").GetString());
        Assert.Equal("DOCUMENT_STATUS_COMPLETED", json.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_unknown_token_exits_3_with_the_servers_message()
    {
        var (code, _, error) = await Run("--grpc", _status.Address.ToString(), "status", "doc_nobody");
        Assert.Equal(ExitCodes.NotFound, code);
        Assert.Contains("document 'doc_nobody' is not known", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_exits_2_and_says_where_it_looked()
    {
        var (code, _, error) = await Run("--grpc", "http://127.0.0.1:1", "list");
        Assert.Equal(ExitCodes.Unreachable, code);
        Assert.Contains("http://127.0.0.1:1", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_and_list_print_tables()
    {
        var (code, output, _) = await Run("--grpc", _status.Address.ToString(), "history", FakeStatusServer.KnownToken);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("document_complete", output, StringComparison.Ordinal);
        (code, output, _) = await Run("--grpc", _status.Address.ToString(), "list", "--status", "completed");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("1 document(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_stops_after_count_changes()
    {
        var (code, output, _) = await Run("--grpc", _status.Address.ToString(), "watch", "--count", "3", "--json");
        Assert.Equal(ExitCodes.Ok, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains("DOCUMENT_CHANGE_KIND_INITIAL", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Usage_errors_exit_1()
    {
        Assert.Equal(ExitCodes.Usage, (await Run("no-such-command")).Code);
        Assert.Equal(ExitCodes.Usage, (await Run("--grpc", _status.Address.ToString(), "list", "--status", "sideways")).Code);
        Assert.Equal(ExitCodes.Usage, (await Run("--ingress", "http://127.0.0.1:1", "send", "--provider", "nobody")).Code);
        Assert.Equal(ExitCodes.Usage, (await Run("--kafka", "127.0.0.1:1", "tail", "documents.events.v1", "--follow", "--until-end")).Code);
    }

    [Fact]
    public async Task Without_a_running_platform_or_addresses_the_cli_says_nothing_is_running_instead_of_guessing_ports()
    {
        var directory = Directory.CreateTempSubdirectory("cli-discovery-").FullName;
        var published = Path.Combine(directory, "platform.json");
        Environment.SetEnvironmentVariable(PlatformDiscovery.LocationVariable, published);
        try
        {
            var (code, _, error) = await Run("list");
            Assert.Equal(ExitCodes.Unreachable, code);
            Assert.Contains("no streaming platform is running", error, StringComparison.Ordinal);
            Assert.Contains(published, error, StringComparison.Ordinal);

            // A file left by a platform that is gone is not trusted either.
            await File.WriteAllTextAsync(published, $$"""{"pid": 2147483646, "grpc": "{{_status.Address}}"}""");
            Assert.Equal(ExitCodes.Unreachable, (await Run("list")).Code);

            // What a running platform publishes (here: this process's id) is used without any flag.
            await File.WriteAllTextAsync(published, $$"""{"pid": {{Environment.ProcessId}}, "grpc": "{{_status.Address.ToString().TrimEnd('/')}}"}""");
            var (listed, output, listError) = await Run("list", "--json");
            Assert.True(listed == ExitCodes.Ok, listError);
            Assert.NotEmpty(output);
        }
        finally
        {
            Environment.SetEnvironmentVariable(PlatformDiscovery.LocationVariable, null);
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Send_to_an_unreachable_ingress_exits_2()
    {
        var (code, _, error) = await Run("--ingress", "http://127.0.0.1:1", "send", "--provider", "inkless");
        Assert.Equal(ExitCodes.Unreachable, code);
        Assert.Contains("cannot reach the ingress", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_reports_rejections_with_exit_4_and_a_summary()
    {
        await using var ingress = await FakeIngress.StartAsync(401);
        var (code, output, _) = await Run("--ingress", ingress.Address.ToString(), "send", "--provider", "generic", "--json");
        Assert.Equal(ExitCodes.Failed, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(4, json.RootElement.GetProperty("sent").GetInt32());
        Assert.Equal(4, json.RootElement.GetProperty("rejected").GetInt32());
    }

    [Fact]
    public async Task Bulk_send_sends_the_count_signed_for_each_provider()
    {
        await using var ingress = await FakeIngress.StartAsync(200);
        var (code, output, _) = await Run("--ingress", ingress.Address.ToString(), "send", "--count", "50", "--rate", "500", "--json");
        Assert.Equal(ExitCodes.Ok, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(50, json.RootElement.GetProperty("accepted").GetInt32());
        Assert.Equal(10, ingress.Received.Count(r => r.Provider == "instnt"));
        Assert.All(ingress.Received.Where(r => r.Provider == "inkless"), r => Assert.Equal("SHA256", r.Headers["X-Inkless-Alg"]));
    }

    [Theory]
    [InlineData("inscribe")]
    [InlineData("insigner")]
    [InlineData("instnt")]
    [InlineData("inkless")]
    [InlineData("generic")]
    public void Each_lifecycle_has_a_duplicate_and_an_out_of_order_delivery_of_one_document(string provider)
    {
        var lifecycle = Lifecycles.For(provider, new ProviderSigner());
        Assert.All(lifecycle.Deliveries, d => Assert.Equal(lifecycle.Expectation.DocumentToken, d.DocumentToken));
        var duplicate = Assert.Single(lifecycle.Deliveries, d => d.Kind == DeliveryKind.Duplicate);
        // A retry repeats a delivery already made, byte for byte.
        Assert.Contains(lifecycle.Deliveries, d => d.Kind != DeliveryKind.Duplicate && d.Body.SequenceEqual(duplicate.Body));
        Assert.Single(lifecycle.Deliveries, d => d.Kind == DeliveryKind.OutOfOrder);
        Assert.Equal(lifecycle.Deliveries.Count - 1, lifecycle.Expectation.DistinctEvents);
        Assert.Equal("COMPLETED", lifecycle.Expectation.FinalStatus);
    }

    [Fact]
    public void Percentiles_are_nearest_rank()
    {
        double[] values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        Assert.Equal(5, SendSummary.Percentile(values, 0.5));
        Assert.Equal(10, SendSummary.Percentile(values, 0.99));
        Assert.Equal(0, SendSummary.Percentile([], 0.5));
    }

    private static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Cli.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
