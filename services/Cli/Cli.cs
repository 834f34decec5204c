using System.CommandLine;
using Streaming.Cli.Sending;
using Streaming.Cli.Stats;
using Streaming.Cli.Status;
using Streaming.Cli.Topics;
using Grpc.Core;

namespace Streaming.Cli;

/// <summary>The `streaming` command tree, and the one place errors become messages and exit codes.</summary>
public static class Cli
{
    public static RootCommand Create()
    {
        var root = new RootCommand(
            "streaming: send provider webhooks to the pipeline and see what became of them.\n" +
            "Addresses default to the embedded platform's (services/Platform); --ready-file reads them from its ready file.\n" +
            ExitCodes.Help);
        foreach (var option in Endpoints.All)
        {
            root.Options.Add(option);
        }

        root.Subcommands.Add(SendCommand.Create());
        foreach (var command in StatusCommands.Create())
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(TailCommand.Create());
        root.Subcommands.Add(DlqCommands.Create());
        root.Subcommands.Add(StatsCommand.Create());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>, writing to the given writers (the console by default).</summary>
    public static Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default) =>
        Create().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output ?? Console.Out, Error = error ?? Console.Error }, cancellationToken);

    /// <summary>Runs a command's body, turning the failures people meet into one clear line and an exit code.</summary>
    internal static async Task<int> RunAsync(
        ParseResult result,
        Func<ParseResult, TextWriter, TextWriter, CancellationToken, Task<int>> body,
        CancellationToken cancellationToken)
    {
        var output = result.InvocationConfiguration.Output;
        var error = result.InvocationConfiguration.Error;
        try
        {
            return await body(result, output, error, cancellationToken);
        }
        catch (CliException ex)
        {
            await error.WriteLineAsync("error: " + ex.Message);
            return ex.ExitCode;
        }
        catch (RpcException ex)
        {
            var (code, hint) = ex.StatusCode switch
            {
                StatusCode.NotFound => (ExitCodes.NotFound, ""),
                StatusCode.Unavailable => (ExitCodes.Unreachable, $" (is the status service running at {Endpoints.GrpcUrl(result)}? --grpc, STREAMING_GRPC_URL or --ready-file say where)"),
                StatusCode.DeadlineExceeded => (ExitCodes.Unreachable, ""),
                StatusCode.Unauthenticated or StatusCode.PermissionDenied => (ExitCodes.Unauthorized, " (--grpc-token or STREAMING_GRPC_TOKEN)"),
                StatusCode.InvalidArgument => (ExitCodes.Usage, ""),
                _ => (ExitCodes.Failed, ""),
            };
            await error.WriteLineAsync($"error: {ex.StatusCode}: {ex.Status.Detail}{hint}");
            return code;
        }
        catch (Confluent.Kafka.KafkaException ex)
        {
            await error.WriteLineAsync($"error: Kafka: {ex.Error.Reason} (--kafka, STREAMING_KAFKA_BOOTSTRAP_SERVERS or --ready-file say where)");
            return ExitCodes.Unreachable;
        }
        catch (Confluent.SchemaRegistry.SchemaRegistryException ex)
        {
            await error.WriteLineAsync($"error: schema registry: {ex.Message}");
            return ExitCodes.Unreachable;
        }
        catch (HttpRequestException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Unreachable;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
    }
}
