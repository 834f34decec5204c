using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Streaming.Kafka;

/// <summary>Loads the librdkafka that ships with the product (librdkafka.redist), never one from the operating system.</summary>
/// <remarks>
/// Left to itself the runtime may bind Confluent.Kafka's "librdkafka" to an OS copy (Debian's librdkafka-dev
/// 2.0.2 provides librdkafka.so): producing works, the first consumer call then fails with
/// EntryPointNotFoundException. And the redist's default linux-x64 librdkafka.so links libsasl2.so.3, which
/// Debian 12 lacks; the centos8 build beside it needs only glibc. So one resolver, on Confluent.Kafka and on
/// this assembly (the mock cluster's P/Invokes), maps every librdkafka name onto one file loaded by full path.
/// It must be registered before the first Kafka type runs: each entry assembly of the solution gets a module
/// initializer calling <see cref="EnsureResolver"/> (Directory.Build.targets adds it to every project with
/// UsesKafka that is an executable or a test project). Library.Load(path) is no alternative: it dlopens
/// "libdl", which Debian 12 does not have under that name.
/// </remarks>
public static class KafkaNative
{
    /// <summary>The library name our own P/Invokes use; the resolver maps it like Confluent.Kafka's.</summary>
    public const string LibraryName = "librdkafka";

    private static readonly Lock Gate = new();
    private static int _registered;
    private static IntPtr _handle;
    private static string? _loadedPath;

    /// <summary>The librdkafka version this build ships and was tested with (librdkafka.redist's version).</summary>
    public static Version BuiltAgainst { get; } = Version.Parse(
        typeof(KafkaNative).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "LibrdkafkaVersion").Value!);

    /// <summary>Full path of the native library in use, once loaded.</summary>
    public static string? LoadedPath
    {
        get
        {
            lock (Gate)
            {
                return _loadedPath;
            }
        }
    }

    /// <summary>Registers the resolver on Confluent.Kafka and on this assembly; idempotent.</summary>
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "The resolver must be in place before the first P/Invoke, whoever makes it.")]
    public static void EnsureResolver()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }

        NativeLibrary.SetDllImportResolver(typeof(IProducer<,>).Assembly, Resolve);
        NativeLibrary.SetDllImportResolver(typeof(KafkaNative).Assembly, Resolve);
    }

    /// <summary>The librdkafka version actually loaded, e.g. "2.16.0".</summary>
    public static string LoadedVersion
    {
        get
        {
            EnsureResolver();
            return Library.VersionString;
        }
    }

    /// <summary>
    /// Loads librdkafka and checks it is at least <see cref="BuiltAgainst"/>; returns its version.
    /// </summary>
    /// <exception cref="InvalidOperationException">An older librdkafka was loaded (something bypassed the resolver).</exception>
    /// <exception cref="DllNotFoundException">No bundled librdkafka was found; the message lists the paths tried.</exception>
    public static string EnsureSupportedVersion()
    {
        var loaded = LoadedVersion;
        if (!IsAtLeast(loaded, BuiltAgainst))
        {
            throw new InvalidOperationException(
                $"librdkafka {loaded} was loaded{(LoadedPath is { } path ? " from " + path : "")}, but this build needs {BuiltAgainst} or newer " +
                "(the librdkafka.redist files published with the application). Reinstall the application's files; " +
                "an operating-system librdkafka is never used.");
        }

        return loaded;
    }

    /// <summary>True when a librdkafka version string ("2.16.0", "2.16.0-RC1") is at least <paramref name="minimum"/>.</summary>
    public static bool IsAtLeast(string versionString, Version minimum)
    {
        var numeric = new string(versionString.TakeWhile(c => char.IsDigit(c) || c == '.').ToArray()).TrimEnd('.');
        return Version.TryParse(numeric, out var version) && Normalize(version) >= Normalize(minimum);
    }

    /// <summary>Where the bundled library is looked for, in order (first existing file wins).</summary>
    public static IReadOnlyList<string> CandidatePaths()
    {
        var names = NativeFileNames();
        var rid = RuntimeIdentifier();
        var roots = new List<string> { AppContext.BaseDirectory };
        var confluentDirectory = Path.GetDirectoryName(typeof(IProducer<,>).Assembly.Location);
        if (!string.IsNullOrEmpty(confluentDirectory))
        {
            roots.Add(confluentDirectory);
        }

        var paths = new List<string>();
        foreach (var root in roots.Distinct(StringComparer.Ordinal))
        {
            foreach (var name in names)
            {
                // A build for every platform keeps the runtimes/ tree; a build or publish for one RID flattens it.
                paths.Add(Path.Combine(root, "runtimes", rid, "native", name));
                paths.Add(Path.Combine(root, name));
            }
        }

        // The native folders the host was given by the deps file (e.g. the NuGet cache when run from a build
        // that does not copy natives): the same files, found where the runtime itself would look.
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirectories)
        {
            foreach (var directory in searchDirectories.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                if (directory.Contains("librdkafka.redist", StringComparison.OrdinalIgnoreCase) || roots.Contains(directory.TrimEnd(Path.DirectorySeparatorChar)))
                {
                    paths.AddRange(names.Select(name => Path.Combine(directory, name)));
                }
            }
        }

        return paths.Distinct(StringComparer.Ordinal).ToList();
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name.Contains("librdkafka", StringComparison.Ordinal) ? Load() : IntPtr.Zero;

    private static IntPtr Load()
    {
        lock (Gate)
        {
            if (_handle != IntPtr.Zero)
            {
                return _handle;
            }

            var tried = new List<string>();
            foreach (var path in CandidatePaths())
            {
                if (!File.Exists(path))
                {
                    tried.Add(path + " (not found)");
                    continue;
                }

                if (NativeLibrary.TryLoad(path, out var handle))
                {
                    _handle = handle;
                    _loadedPath = path;
                    return handle;
                }

                tried.Add(path + " (could not be loaded: missing dependencies? check with ldd)");
            }

            // Returning zero here would let the runtime probe the OS for any librdkafka: exactly what we rule out.
            throw new DllNotFoundException(
                "the bundled librdkafka (package librdkafka.redist) was not found next to the application; tried:" +
                Environment.NewLine + string.Join(Environment.NewLine, tried.Select(t => "  " + t)));
        }
    }

    private static string[] NativeFileNames()
    {
        if (OperatingSystem.IsWindows())
        {
            return ["librdkafka.dll"];
        }

        if (OperatingSystem.IsMacOS())
        {
            return ["librdkafka.dylib"];
        }

        // The centos8 build needs only glibc; the default one also needs libsasl2.so.3 (absent on Debian 12),
        // and is the only one for arm64.
        return RuntimeInformation.OSArchitecture == Architecture.X64
            ? ["centos8-librdkafka.so", "librdkafka.so"]
            : ["librdkafka.so"];
    }

    private static string RuntimeIdentifier()
    {
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        var arch = RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();
        return string.Create(CultureInfo.InvariantCulture, $"{os}-{arch}");
    }

    private static Version Normalize(Version v) => new(v.Major, v.Minor, Math.Max(v.Build, 0));
}
