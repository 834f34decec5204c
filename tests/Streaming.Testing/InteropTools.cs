using System.Diagnostics;

namespace Streaming.Testing;

/// <summary>
/// Checks that an independent implementation used by an interop test is installed, and fails the test
/// with the packages to install when it is not: a skipped interop test proves nothing.
/// </summary>
public static class InteropTools
{
    /// <summary>Debian's packages for the Python gRPC interop clients (grpcio, protobuf, protoc and its gRPC plugin).</summary>
    public const string GrpcAptPackages = "python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc";

    /// <summary>Throws unless Debian's python3 can run <paramref name="imports"/> (e.g. "import grpc, google.protobuf").</summary>
    public static async Task RequireDebianPythonAsync(string imports, string aptPackages)
    {
        if (!File.Exists(ExternalProcess.DebianPython))
        {
            throw new InvalidOperationException($"{ExternalProcess.DebianPython} not found. Install Debian's packages: apt-get install -y python3 {aptPackages}");
        }

        var probe = new ProcessStartInfo(ExternalProcess.DebianPython, ["-c", imports])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(probe)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{ExternalProcess.DebianPython} cannot run '{imports}' ({error.Trim()}). Install: apt-get install -y {aptPackages}");
        }
    }

    /// <summary>Throws unless every tool is on PATH.</summary>
    public static void RequireOnPath(string aptPackages, params string[] tools)
    {
        foreach (var tool in tools)
        {
            var found = (Environment.GetEnvironmentVariable("PATH") ?? "")
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Any(dir => File.Exists(Path.Combine(dir, tool)));
            if (!found)
            {
                throw new InvalidOperationException($"{tool} not found on PATH. Install: apt-get install -y {aptPackages}");
            }
        }
    }

    /// <summary>Python, grpcio, protobuf, protoc and grpc_python_plugin, for the gRPC interop tests.</summary>
    public static async Task RequireGrpcPythonAsync()
    {
        await RequireDebianPythonAsync("import grpc, google.protobuf", GrpcAptPackages);
        RequireOnPath(GrpcAptPackages, "protoc", "grpc_python_plugin");
    }
}
