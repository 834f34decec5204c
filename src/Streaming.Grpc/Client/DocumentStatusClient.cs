using Grpc.Health.V1;
using Streaming.Contracts.Status.V1;

namespace Streaming.Grpc.Client;

/// <summary>Typed calls of streaming.status.v1.DocumentStatusService (contracts/status/v1/document_status.proto).</summary>
public sealed class DocumentStatusClient(GrpcChannel channel)
{
    private static readonly string Service = DocumentStatusReflection.Descriptor.Services[0].FullName;

    public GrpcChannel Channel { get; } = channel;

    public Task<DocumentState> GetDocumentStatusAsync(GetDocumentStatusRequest request, GrpcCallOptions? options = null, CancellationToken cancellationToken = default) =>
        Channel.UnaryAsync($"/{Service}/GetDocumentStatus", request, DocumentState.Parser, options, cancellationToken);

    public Task<ListDocumentEventsResponse> ListDocumentEventsAsync(ListDocumentEventsRequest request, GrpcCallOptions? options = null, CancellationToken cancellationToken = default) =>
        Channel.UnaryAsync($"/{Service}/ListDocumentEvents", request, ListDocumentEventsResponse.Parser, options, cancellationToken);

    public Task<ListDocumentsResponse> ListDocumentsAsync(ListDocumentsRequest request, GrpcCallOptions? options = null, CancellationToken cancellationToken = default) =>
        Channel.UnaryAsync($"/{Service}/ListDocuments", request, ListDocumentsResponse.Parser, options, cancellationToken);

    public IAsyncEnumerable<DocumentStatusChange> WatchDocumentStatusAsync(WatchDocumentStatusRequest request, GrpcCallOptions? options = null, CancellationToken cancellationToken = default) =>
        Channel.ServerStreamingAsync($"/{Service}/WatchDocumentStatus", request, DocumentStatusChange.Parser, options, cancellationToken);
}

/// <summary>Typed calls of grpc.health.v1.Health.</summary>
public sealed class HealthClient(GrpcChannel channel)
{
    private static readonly string Service = HealthReflection.Descriptor.Services[0].FullName;

    /// <summary>The serving status of <paramref name="service"/> ("" = the whole server).</summary>
    public async Task<HealthCheckResponse.Types.ServingStatus> CheckAsync(string service = "", GrpcCallOptions? options = null, CancellationToken cancellationToken = default) =>
        (await channel.UnaryAsync($"/{Service}/Check", new HealthCheckRequest { Service = service }, HealthCheckResponse.Parser, options, cancellationToken)).Status;
}
