using System.Globalization;
using Streaming.Chaos;

// Usage:
//   Streaming.Chaos run --repo DIR [--seconds 75] [--rate 40] [--fault-interval 4] [--min-faults 1] [--seed N] [--work DIR] [--faults BrokerDown,...] [--group-protocol Consumer|Classic]
//   Streaming.Chaos broker --ready-file FILE --partitions N --port P     (the broker process the run starts)
// `run` prints the summary table and exits 0 when nothing acknowledged was lost or counted twice, 1 otherwise.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Streaming.Chaos run --repo DIR [--seconds S] [--rate R] [--fault-interval S] [--min-faults N] [--seed N] [--work DIR]");
    return 2;
}

string Option(string name, string? fallback = null)
{
    var i = Array.IndexOf(args, "--" + name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback ?? throw new ArgumentException($"--{name} is required");
}

double Number(string name, double fallback) => double.Parse(Option(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

try
{
    return args[0] switch
    {
        "broker" => await BrokerHost.RunAsync(Option("ready-file"), (int)Number("partitions", 6), (int)Number("port", 0)),
        "run" => await ChaosRun.RunAsync(new ChaosSettings(
            Repo: Path.GetFullPath(Option("repo")),
            Seconds: Number("seconds", 75),
            Rate: Number("rate", 40),
            FaultInterval: Number("fault-interval", 4),
            MinFaultsPerKind: (int)Number("min-faults", 1),
            Seed: (int)Number("seed", Environment.TickCount & 0xFFFF),
            Work: Option("work", Path.Combine(Path.GetTempPath(), "streaming-chaos-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture))),
            Partitions: (int)Number("partitions", 6),
            Faults: Option("faults", string.Join(",", Enum.GetNames<FaultKind>())).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Enum.Parse<FaultKind>).ToArray(),
            GroupProtocol: Option("group-protocol", "Consumer"))),
        _ => throw new ArgumentException($"unknown command '{args[0]}' (run or broker)"),
    };
}
catch (ArgumentException e)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 2;
}
