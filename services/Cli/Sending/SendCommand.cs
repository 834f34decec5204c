using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Streaming.Cli.Sending;

/// <summary>`streaming send`: provider lifecycles, a file of your own, or bulk load at a rate.</summary>
public static class SendCommand
{
    private static readonly Option<string[]> ProviderOption = new("--provider", "-p")
    {
        Description = $"Provider(s) to send for: {string.Join(", ", ProviderSigner.Providers)}. Default: every provider",
        AllowMultipleArgumentsPerToken = true,
    };

    private static readonly Option<FileInfo?> FileOption = new("--file", "-f")
    {
        Description = "Send this body (one webhook) for --provider, signed with its configured secret",
    };

    private static readonly Option<int> CountOption = new("--count", "-n")
    {
        Description = "Bulk mode: this many webhooks, each a new document (round robin over the providers)",
    };

    private static readonly Option<double> RateOption = new("--rate", "-r")
    {
        Description = "Bulk mode: webhooks per second (open loop: sent on schedule whatever the answers). 0: as fast as possible",
    };

    private static readonly Option<int> ConcurrencyOption = new("--concurrency")
    {
        Description = "Bulk mode: most requests in flight at once",
        DefaultValueFactory = _ => 256,
    };

    private static readonly Option<string?> SecretOption = new("--secret")
    {
        Description = "Shared secret to sign with (overrides the configured one for the --provider given)",
    };

    private static readonly Option<bool> JsonOption = new("--json") { Description = "Print the summary (and documents) as JSON on stdout" };

    private static readonly Option<bool> QuietOption = new("--quiet", "-q") { Description = "No line per webhook, no progress bar" };

    public static Command Create()
    {
        var command = new Command("send", "Send signed webhooks to the ingress: every provider's lifecycle (with a duplicate and an out-of-order delivery), a file of your own, or bulk load")
        {
            ProviderOption, FileOption, CountOption, RateOption, ConcurrencyOption, SecretOption, JsonOption, QuietOption,
        };
        command.SetAction((result, cancellationToken) => Cli.RunAsync(result, RunAsync, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult result, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var providers = result.GetValue(ProviderOption) is { Length: > 0 } chosen ? chosen.Select(p => p.ToLowerInvariant()).ToArray() : [.. ProviderSigner.Providers];
        foreach (var provider in providers)
        {
            if (!ProviderSigner.Providers.Contains(provider))
            {
                throw new CliException(ExitCodes.Usage, $"unknown provider '{provider}' (known: {string.Join(", ", ProviderSigner.Providers)})");
            }
        }

        var secret = result.GetValue(SecretOption);
        if (secret is not null && providers.Length != 1)
        {
            throw new CliException(ExitCodes.Usage, "--secret needs exactly one --provider");
        }

        var signer = new ProviderSigner(secret is null ? null : new Dictionary<string, string> { [providers[0]] = secret });
        using var sender = new WebhookSender(Endpoints.IngressUrl(result), Math.Max(1, result.GetValue(ConcurrencyOption)));
        var json = result.GetValue(JsonOption);
        var quiet = result.GetValue(QuietOption) || json;

        if (result.GetValue(FileOption) is { } file)
        {
            if (providers.Length != 1)
            {
                throw new CliException(ExitCodes.Usage, "--file needs exactly one --provider");
            }

            if (!file.Exists)
            {
                throw new CliException(ExitCodes.Usage, $"--file: {file.FullName} does not exist");
            }

            var body = await File.ReadAllBytesAsync(file.FullName, cancellationToken);
            var delivery = new WebhookDelivery(providers[0], "", "(file)", DeliveryKind.First, body, () => signer.Sign(providers[0], body));
            var one = await sender.SendAsync(delivery, cancellationToken);
            return Report([one], one.Latency, [], sender, output, json, quiet);
        }

        if (result.GetValue(CountOption) is > 0 and var count)
        {
            var rate = result.GetValue(RateOption);
            var bulk = await SendBulkAsync(sender, signer, providers, count, rate, Math.Max(1, result.GetValue(ConcurrencyOption)), quiet ? null : error, null, cancellationToken);
            return Report(bulk.Results, bulk.Elapsed, [], sender, output, json, quiet: true);
        }

        var lifecycles = providers.Select(p => Lifecycles.For(p, signer)).ToList();
        var results = new List<SendResult>();
        var started = Stopwatch.GetTimestamp();
        foreach (var lifecycle in lifecycles)
        {
            foreach (var delivery in lifecycle.Deliveries)
            {
                // In order, one at a time: the out-of-order delivery must really arrive after the later event.
                var sent = await sender.SendAsync(delivery, cancellationToken);
                results.Add(sent);
                if (WebhookSender.IsUnreachable(sent))
                {
                    throw new CliException(ExitCodes.Unreachable, $"cannot reach the ingress at {sender.Ingress}: {sent.Error}");
                }

                if (!quiet)
                {
                    output.WriteLine(FormattableString.Invariant(
                        $"{delivery.Provider,-9} {delivery.DocumentToken,-30} {delivery.EventType,-36} {Label(delivery.Kind),-13} {(sent.Accepted ? "accepted" : "REJECTED")} {sent.HttpStatus} {sent.Latency.TotalMilliseconds,6:0.0} ms{(sent.Accepted ? "" : "  " + sent.Error)}"));
                }
            }
        }

        return Report(results, Stopwatch.GetElapsedTime(started), lifecycles.Select(l => l.Expectation).ToList(), sender, output, json, quiet);
    }

    /// <summary>
    /// Sends <paramref name="count"/> single-event documents at <paramref name="rate"/> per second (open loop),
    /// calling <paramref name="onResult"/> as each answer arrives; draws a progress bar on <paramref name="progress"/>.
    /// </summary>
    public static Task<(List<SendResult> Results, TimeSpan Elapsed)> SendBulkAsync(
        WebhookSender sender,
        ProviderSigner signer,
        IReadOnlyList<string> providers,
        int count,
        double rate,
        int concurrency,
        TextWriter? progress,
        Action<SendResult>? onResult,
        CancellationToken cancellationToken)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        return SendBulkAsync(sender, count, i => BulkDelivery(signer, providers, run, i), rate, concurrency, progress, onResult, cancellationToken);
    }

    /// <summary>The i-th document of a bulk run: the first delivery of its provider's lifecycle (round robin over <paramref name="providers"/>).</summary>
    public static WebhookDelivery BulkDelivery(ProviderSigner signer, IReadOnlyList<string> providers, string run, int i) =>
        Lifecycles.For(providers[i % providers.Count], signer, $"doc_bulk_{run}_{i.ToString(CultureInfo.InvariantCulture)}").Deliveries[0];

    /// <summary>Sends <c>delivery(i)</c> for i = 0 .. <paramref name="count"/> - 1 at <paramref name="rate"/> per second (open loop).</summary>
    public static async Task<(List<SendResult> Results, TimeSpan Elapsed)> SendBulkAsync(
        WebhookSender sender,
        int count,
        Func<int, WebhookDelivery> delivery,
        double rate,
        int concurrency,
        TextWriter? progress,
        Action<SendResult>? onResult,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var results = new List<SendResult>(count);
        var gate = new SemaphoreSlim(concurrency);
        var inFlight = new List<Task>();
        var started = Stopwatch.GetTimestamp();
        var lastDraw = 0L;
        var accepted = 0;
        var rejected = 0;
        for (var i = 0; i < count; i++)
        {
            if (rate > 0)
            {
                var due = TimeSpan.FromSeconds(i / rate) - Stopwatch.GetElapsedTime(started);
                if (due > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(due, cancellationToken);
                }
            }

            await gate.WaitAsync(cancellationToken);
            var next = delivery(i);
            inFlight.Add(Task.Run(async () =>
            {
                try
                {
                    var sent = await sender.SendAsync(next, cancellationToken);
                    onResult?.Invoke(sent);
                    lock (results)
                    {
                        results.Add(sent);
                        _ = sent.Accepted ? accepted++ : rejected++;
                    }
                }
                finally
                {
                    gate.Release();
                }
            }, cancellationToken));

            if (progress is not null && Stopwatch.GetElapsedTime(lastDraw).TotalMilliseconds >= 250)
            {
                lastDraw = Stopwatch.GetTimestamp();
                lock (results)
                {
                    DrawProgress(progress, results.Count, count, accepted, rejected, Stopwatch.GetElapsedTime(started));
                }
            }

            if (inFlight.Count >= 4096)
            {
                inFlight.RemoveAll(t => t.IsCompleted);
            }
        }

        await Task.WhenAll(inFlight);
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (progress is not null)
        {
            DrawProgress(progress, results.Count, count, accepted, rejected, elapsed);
            progress.WriteLine();
        }

        return (results, elapsed);
    }

    private static void DrawProgress(TextWriter progress, int done, int total, int accepted, int rejected, TimeSpan elapsed)
    {
        const int width = 30;
        var filled = total == 0 ? width : (int)((long)done * width / total);
        progress.Write(FormattableString.Invariant(
            $"\r[{new string('#', filled)}{new string('.', width - filled)}] {done}/{total}  {done / Math.Max(elapsed.TotalSeconds, 0.001),7:0}/s  accepted {accepted}  rejected {rejected}   "));
    }

    private static int Report(List<SendResult> results, TimeSpan elapsed, IReadOnlyList<DocumentExpectation> documents, WebhookSender sender, TextWriter output, bool json, bool quiet)
    {
        var summary = SendSummary.Of(results, elapsed);
        if (summary.Sent > 0 && summary.Unreachable == summary.Sent)
        {
            throw new CliException(ExitCodes.Unreachable, $"cannot reach the ingress at {sender.Ingress}: {results[0].Error}");
        }

        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                sent = summary.Sent,
                accepted = summary.Accepted,
                rejected = summary.Rejected,
                unreachable = summary.Unreachable,
                seconds = Math.Round(summary.Seconds, 3),
                latencyMs = new { p50 = Math.Round(summary.P50Ms, 2), p90 = Math.Round(summary.P90Ms, 2), p99 = Math.Round(summary.P99Ms, 2), max = Math.Round(summary.MaxMs, 2) },
                documents = documents.Select(d => new { provider = d.Provider, token = d.DocumentToken, expectedStatus = d.FinalStatus, distinctEvents = d.DistinctEvents }),
                errors = results.Where(r => !r.Accepted).Take(20).Select(r => new { provider = r.Delivery.Provider, status = r.HttpStatus, error = r.Error }),
            }));
        }
        else
        {
            if (quiet && results.Count == 1 && !results[0].Accepted)
            {
                output.WriteLine(results[0].Error);
            }

            output.WriteLine(FormattableString.Invariant(
                $"sent {summary.Sent}, accepted {summary.Accepted}, rejected {summary.Rejected}, unreachable {summary.Unreachable} in {summary.Seconds:0.00} s; latency p50 {summary.P50Ms:0.0} ms, p90 {summary.P90Ms:0.0} ms, p99 {summary.P99Ms:0.0} ms, max {summary.MaxMs:0.0} ms"));
            foreach (var document in documents)
            {
                output.WriteLine($"  {document.Provider,-9} {document.DocumentToken}  expect {document.FinalStatus} after {document.DistinctEvents} distinct events");
            }
        }

        return summary.Accepted == summary.Sent ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static string Label(DeliveryKind kind) => kind switch
    {
        DeliveryKind.Duplicate => "(duplicate)",
        DeliveryKind.OutOfOrder => "(out of order)",
        _ => "",
    };
}
