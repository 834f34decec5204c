using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Streaming.Kafka;

/// <summary>Points Confluent.Kafka at the operating system's librdkafka.</summary>
/// <remarks>
/// Confluent.Kafka 1.9.3 P/Invokes "librdkafka", which the dynamic loader resolves to
/// librdkafka.so: only Debian's librdkafka-dev ships that symlink. The runtime package
/// librdkafka1 ships librdkafka.so.1, so we resolve the name ourselves and the services
/// run with the runtime package alone. Library.Load(path) is no alternative here: it
/// dlopens "libdl", which Debian 12 does not have under that name.
/// </remarks>
public static class KafkaNative
{
    /// <summary>The soname of the OS package librdkafka1 (Debian 12: 2.0.2).</summary>
    public const string LibraryName = "librdkafka.so.1";

    private static int _registered;

    /// <summary>Registers the resolver; idempotent, and runs before any Kafka type is used.</summary>
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "The resolver must be in place before Confluent.Kafka's first P/Invoke, whoever calls it.")]
    public static void EnsureResolver()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }

        NativeLibrary.SetDllImportResolver(typeof(IProducer<,>).Assembly, Resolve);
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!name.StartsWith("librdkafka", StringComparison.Ordinal))
        {
            return IntPtr.Zero;
        }

        if (NativeLibrary.TryLoad(LibraryName, assembly, searchPath, out var handle))
        {
            return handle;
        }

        // Fall back to the default probing (librdkafka.so from librdkafka-dev, or a custom path).
        return IntPtr.Zero;
    }

    /// <summary>The librdkafka version actually loaded, e.g. "2.0.2".</summary>
    public static string LoadedVersion
    {
        get
        {
            EnsureResolver();
            return Library.VersionString;
        }
    }
}
