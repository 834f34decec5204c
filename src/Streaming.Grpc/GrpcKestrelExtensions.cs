using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Streaming.Grpc;

/// <summary>Kestrel endpoints for gRPC.</summary>
public static class GrpcKestrelExtensions
{
    /// <summary>
    /// Listens on <paramref name="address"/>:<paramref name="port"/> (0 picks a free port) speaking
    /// HTTP/2 only. Without TLS there is no ALPN, so an Http1AndHttp2 endpoint would answer gRPC
    /// clients' prior-knowledge HTTP/2 with HTTP/1.1; the gRPC port is therefore its own endpoint.
    /// </summary>
    public static KestrelServerOptions ListenGrpc(
        this KestrelServerOptions kestrel,
        IPAddress address,
        int port,
        Action<ListenOptions>? configure = null)
    {
        kestrel.Listen(address, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            configure?.Invoke(listen);
        });
        return kestrel;
    }

    /// <summary>HTTP/2-only gRPC endpoint on every interface (IPv4 and IPv6).</summary>
    public static KestrelServerOptions ListenGrpcAnyIP(this KestrelServerOptions kestrel, int port, Action<ListenOptions>? configure = null)
    {
        kestrel.ListenAnyIP(port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            configure?.Invoke(listen);
        });
        return kestrel;
    }
}
