using System.Globalization;
using Microsoft.AspNetCore.Mvc;

namespace Streaming.Ingress.Webhooks;

/// <summary>The ingress's error answers: small application/problem+json bodies that echo nothing from the request.</summary>
public static class Problems
{
    public static IResult UnknownProvider() =>
        Problem(StatusCodes.Status404NotFound, "Unknown provider", "No webhook provider is configured under this name.", "provider_unknown");

    public static IResult RateLimited(TimeSpan retryAfter) =>
        WithRetryAfter(Problem(StatusCodes.Status429TooManyRequests, "Too many requests", "This provider's rate limit is exhausted; retry later.", "rate_limited"), retryAfter);

    public static IResult MethodNotAllowed(HttpContext context)
    {
        context.Response.Headers.Allow = HttpMethods.Post;
        return Problem(StatusCodes.Status405MethodNotAllowed, "Method not allowed", "Webhooks are delivered with POST.", "method_not_allowed");
    }

    public static IResult ClientRateLimited(TimeSpan retryAfter) =>
        WithRetryAfter(Problem(StatusCodes.Status429TooManyRequests, "Too many requests", "This client address sent too many requests; retry later.", "client_rate_limited"), retryAfter);

    public static IResult TooLarge(int limit) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"The body exceeds the limit of {limit} bytes.", "body_too_large");

    public static IResult Unauthorized(string code, string detail) =>
        Problem(StatusCodes.Status401Unauthorized, "Signature verification failed", detail, code);

    public static IResult KafkaUnavailable(TimeSpan retryAfter) =>
        WithRetryAfter(Problem(StatusCodes.Status503ServiceUnavailable, "Not accepted", "The event could not be stored durably; nothing was kept. Retry later.", "storage_unavailable"), retryAfter);

    private static IResult Problem(int status, string title, string detail, string code) =>
        Results.Problem(new ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = detail,
            Extensions = { ["code"] = code },
        });

    private static RetryAfterResult WithRetryAfter(IResult inner, TimeSpan retryAfter) => new(inner, retryAfter);

    private sealed class RetryAfterResult(IResult inner, TimeSpan retryAfter) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
