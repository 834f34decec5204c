using System.Runtime.InteropServices;
using Streaming.Kafka.Embedded;
using Streaming.Platform;

// The whole pipeline on one machine: see PlatformHost. Usage:
//   Streaming.Platform [--ready-file PATH] [--Platform:IngressPort=8080] [--Platform:GrpcPort=8081] ...
var (readyFile, rest) = PlatformCommandLine.Parse(args);
if (readyFile is { Error: { } usage })
{
    Console.Error.WriteLine(usage);
    return 1;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

try
{
    // Before the embedded broker starts on it: the bundled librdkafka, at least the version this build ships.
    Streaming.Kafka.KafkaNative.EnsureSupportedVersion();
}
catch (Exception ex) when (ex is InvalidOperationException or DllNotFoundException)
{
    Console.Error.WriteLine($"error: the platform could not start: {ex.Message}");
    return 2;
}

PlatformHost platform;
try
{
    platform = await PlatformHost.StartAsync(PlatformHost.BuildConfiguration(rest), stop.Token);
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    return 0;
}
catch (Exception ex) when (ex is Microsoft.Extensions.Options.OptionsValidationException or TimeoutException or IOException or Confluent.Kafka.KafkaException)
{
    Console.Error.WriteLine($"error: the platform could not start: {ex.Message}");
    return 2;
}

await using (platform)
{
    Console.Out.Write(PlatformCommandLine.Describe(platform.Endpoints));
    var discovery = PlatformDiscovery.Location;
    PlatformCommandLine.WriteReadyFile(discovery, platform.Endpoints);
    if (readyFile?.Path is { } path)
    {
        PlatformCommandLine.WriteReadyFile(path, platform.Endpoints);
    }

    using var either = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, platform.PartStopped);
    try
    {
        await Task.Delay(Timeout.Infinite, either.Token);
    }
    catch (OperationCanceledException)
    {
    }

    Console.Out.WriteLine(platform.PartStopped.IsCancellationRequested ? "A part of the platform stopped; stopping the rest." : "Stopping...");

    // Nothing is listening any more: say so to the CLI and to whoever waits on the ready file.
    PlatformDiscovery.RemoveIfOurs(discovery);
    if (readyFile?.Path is { } written)
    {
        File.Delete(written);
    }

    await platform.StopAsync();
    return platform.PartStopped.IsCancellationRequested && !stop.IsCancellationRequested ? 3 : 0;
}
