using System.Diagnostics;
using System.Reflection;
using System.Text;
using Streaming.Contracts.Status.V1;
using Streaming.Status.Tests.Support;
using Streaming.Testing;

namespace Streaming.Status.Tests;

/// <summary>
/// Python grpcio, an independent gRPC implementation, against the real status service (projection, store, gRPC):
/// unary, paging, streaming, NOT_FOUND, INVALID_ARGUMENT, deadlines, auth, health and reflection.
/// </summary>
public sealed class StatusInteropTests
{
    private const string Token = "status-interop-token-0123456789";

    [Fact]
    public async Task Python_grpcio_client_interoperates_with_the_status_service()
    {
        await InteropTools.RequireGrpcPythonAsync();
        using var setup = StatusSetup.Create(partitions: 2);
        await using var host = await StatusHost.StartAsync(setup, new Dictionary<string, string?> { ["Grpc:BearerTokens:0"] = Token });
        using var producer = new EventProducer(setup.Topic, await TestRegistry.UrlAsync());
        var doc = Lifecycle.FiveEvents("py-doc");
        var done = Lifecycle.FiveEvents("py-done");
        await producer.ProduceAsync([doc[0], doc[1], done[0], done[1], done[2], done[3]]);
        await Eventually.True(() => host.Loop.Applied >= 6, TimeSpan.FromSeconds(30), "the seed events to be projected");

        var repoRoot = typeof(StatusInteropTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;
        var work = Directory.CreateTempSubdirectory("status-interop-");
        try
        {
            var start = new ProcessStartInfo(ExternalProcess.DebianPython) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[]
            {
                Path.Combine(repoRoot, "tests", "Status.Tests", "interop", "status_interop_client.py"),
                "--target", $"127.0.0.1:{host.GrpcAddress.Port}",
                "--contracts", Path.Combine(repoRoot, "contracts"),
                "--work", work.FullName,
                "--token", Token,
            })
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["PYTHONNOUSERSITE"] = "1";
            start.Environment.Remove("http_proxy");
            start.Environment.Remove("https_proxy");
            start.Environment.Remove("grpc_proxy");

            using var process = Process.Start(start)!;
            var output = new StringBuilder();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                output.AppendLine(line);
                if (line == "READY watch py-doc")
                {
                    await producer.ProduceAsync(doc[3]);
                }
            }

            await process.WaitForExitAsync(timeout.Token);
            var report = $"exit code {process.ExitCode}\n{output}\nstderr:\n{await stderr}";
            Assert.True(process.ExitCode == 0, report);
            Assert.Contains("interop: 10 passed, 0 failed", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
