using System.Runtime.CompilerServices;
using Grpc.Core;

namespace Streaming.Contracts.Status.V1;

/// <summary>WatchDocumentStatus as an async stream, so callers can <c>await foreach</c> and the call is disposed with it.</summary>
public static class DocumentStatusServiceClientExtensions
{
    public static async IAsyncEnumerable<DocumentStatusChange> WatchDocumentStatusAsync(
        this DocumentStatusService.DocumentStatusServiceClient client,
        WatchDocumentStatusRequest request,
        Metadata? headers = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var call = client.WatchDocumentStatus(request, headers, cancellationToken: cancellationToken);
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
            yield return call.ResponseStream.Current;
        }
    }
}
