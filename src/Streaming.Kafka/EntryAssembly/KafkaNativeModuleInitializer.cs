// Compiled into every executable and test project that uses Kafka (Directory.Build.targets), not into
// Streaming.Kafka: a module initializer runs when its own assembly loads, so only one in the entry assembly
// is sure to run before the first Kafka type does.
using System.Runtime.CompilerServices;

namespace Streaming.Kafka.EntryAssembly;

internal static class KafkaNativeModuleInitializer
{
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "The librdkafka resolver must be registered before any Kafka type is used.")]
    internal static void Initialize() => KafkaNative.EnsureResolver();
}
