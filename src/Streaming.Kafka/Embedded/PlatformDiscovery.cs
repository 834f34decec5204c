using System.Diagnostics;
using System.Text.Json;

namespace Streaming.Kafka.Embedded;

/// <summary>
/// The one well-known place per user where a running embedded platform publishes its addresses (the same JSON as
/// its --ready-file, plus its process id), so the CLI finds the instance this user started and never guesses ports.
/// </summary>
public static class PlatformDiscovery
{
    /// <summary>Overrides the location (tests, or several instances side by side).</summary>
    public const string LocationVariable = "STREAMING_PLATFORM_FILE";

    /// <summary>$STREAMING_PLATFORM_FILE, else $XDG_RUNTIME_DIR/streaming/platform.json, else ~/.local/share/streaming/platform.json.</summary>
    public static string Location
    {
        get
        {
            if (Environment.GetEnvironmentVariable(LocationVariable) is { Length: > 0 } explicitPath)
            {
                return Path.GetFullPath(explicitPath);
            }

            var root = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime && Directory.Exists(runtime)
                ? runtime
                : Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create);
            return Path.Combine(root, "streaming", "platform.json");
        }
    }

    /// <summary>The published addresses when the platform that wrote them is still running; null otherwise.</summary>
    public static JsonDocument? TryReadRunning(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }

        if (document.RootElement.TryGetProperty("pid", out var pid) && pid.TryGetInt32(out var id) && IsRunning(id))
        {
            return document;
        }

        document.Dispose();
        return null;
    }

    /// <summary>Removes the file if it still describes this process (another instance may have published since).</summary>
    public static void RemoveIfOurs(string path)
    {
        using var document = TryReadRunning(path);
        if (document is not null && document.RootElement.GetProperty("pid").GetInt32() == Environment.ProcessId)
        {
            File.Delete(path);
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
