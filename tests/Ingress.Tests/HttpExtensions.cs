using System.Net.Http.Headers;

namespace Streaming.Ingress.Tests;

public static class HttpExtensions
{
    /// <summary>POSTs the exact bytes with the given headers (Content-Type application/json unless given).</summary>
    public static Task<HttpResponseMessage> PostWebhookAsync(this HttpClient client, string provider, byte[] body, IReadOnlyDictionary<string, string> headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/{provider}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PostAsync(this HttpClient client, string provider, SignedRequest signed) =>
        client.PostWebhookAsync(provider, signed.Body, signed.Headers);
}
