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

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var started = Stopwatch.GetTimestamp();
        var code = StatusCode.Unknown;
        try
        {
            var response = await continuation(request, context);
            code = StatusCode.OK;
            return response;
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

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var started = Stopwatch.GetTimestamp();
        var code = StatusCode.Unknown;
        try
        {
            await continuation(request, responseStream, context);
            code = StatusCode.OK;
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
        context.GetHttpContext().Request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) ? "grpc" : "json";
}
