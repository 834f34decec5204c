using Streaming.Testing;
using System.Diagnostics;
using System.Reflection;
using System.Text;
using Streaming.Contracts.Status.V1;
using Streaming.Grpc.Tests.Support;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Streaming.Grpc.Tests;

/// <summary>
/// Python grpcio, an independent gRPC implementation, calls our server: unary, streaming,
/// errors, deadlines, auth, health and reflection (interop/grpc_interop_client.py).
/// </summary>
public sealed class InteropTests : IClassFixture<AuthenticatedGrpcServerFixture>
{
    // Debian's own interpreter: another python3 earlier on PATH may lack the Debian packages.
    private const string Python = ExternalProcess.DebianPython;
    private readonly AuthenticatedGrpcServerFixture _fixture;

    public InteropTests(AuthenticatedGrpcServerFixture fixture)
    {
        _fixture = fixture;
    }

    [Fact]
    public async Task Python_grpcio_client_interoperates()
    {
        await InteropTools.RequireGrpcPythonAsync();
        var repoRoot = typeof(InteropTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;
        var script = Path.Combine(repoRoot, "tests", "Streaming.Grpc.Tests", "interop", "grpc_interop_client.py");
        var work = Directory.CreateTempSubdirectory("grpc-interop-");
        try
        {
            var start = new ProcessStartInfo(Python)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[]
            {
                script,
                "--target", $"127.0.0.1:{_fixture.Server.Port}",
                "--contracts", Path.Combine(repoRoot, "contracts"),
                "--work", work.FullName,
                "--token", AuthenticatedGrpcServerFixture.Token,
            })
            {
                start.ArgumentList.Add(arg);
            }

            // Keep the interpreter from picking up a user's site packages or proxies.
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
                switch (line)
                {
                    case "READY watch doc-1":
                        _fixture.Server.Service.Apply("doc-1", InMemoryDocumentStatusService.Event("evt-interop", DocumentStatus.Completed, GrpcServerFixture.T0.AddHours(2)));
                        break;
                    case "READY health interop.Flip":
                        _fixture.Server.Health.SetStatus("interop.Flip", ServingStatus.Serving);
                        break;
                }
            }

            await process.WaitForExitAsync(timeout.Token);
            var report = $"exit code {process.ExitCode}\n{output}\nstderr:\n{await stderr}";
            Assert.True(process.ExitCode == 0, report);
            Assert.Contains("interop: 14 passed, 0 failed", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
