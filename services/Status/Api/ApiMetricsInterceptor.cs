using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Streaming.Status.Api;

/// <summary>Counts and times every DocumentStatusService call, gRPC or JSON, with the status code it ended with.</summary>
public sealed class ApiMetricsInterceptor(StatusTelemetry telemetry) : Interceptor
{
    // "/streaming.status.v1.DocumentStatusService/GetDocumentStatus" -> ("streaming.status.v1.DocumentStatusService", "GetDocumentStatus"), once per method.
    private static readonly ConcurrentDictionary<string, (string Service, string Method)> MethodNames = new(StringComparer.Ordinal);

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation) =>
        ObserveAsync(context, () => continuation(request, context));

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        ObserveAsync(context, async () =>
        {
            await continuation(request, responseStream, context);
            return true;
        });

    /// <summary>Runs the call and records it with the code it ended with (OK, its RpcException's, Cancelled by the client, else Unknown).</summary>
    private async Task<T> ObserveAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        var code = StatusCode.Unknown;
        try
        {
            var result = await call();
            code = StatusCode.OK;
            return result;
        }
        catch (RpcException e)
        {
            code = e.StatusCode;
            throw;
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            code = StatusCode.Cancelled;
            throw;
        }
        finally
        {
            telemetry.ApiCall(MethodName(context.Method), code, Face(context), Stopwatch.GetElapsedTime(started));
        }
    }

    private static (string Service, string Method) MethodName(string method) =>
        MethodNames.GetOrAdd(method, static m => (m[1..Math.Max(1, m.LastIndexOf('/'))], m[(m.LastIndexOf('/') + 1)..]));

    private static string Face(ServerCallContext context) =>
        IsGrpc(context.GetHttpContext().Request) ? "grpc" : "json";

    /// <summary>A gRPC call (content type application/grpc...), as opposed to the JSON face's HTTP request.</summary>
    internal static bool IsGrpc(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);
}
