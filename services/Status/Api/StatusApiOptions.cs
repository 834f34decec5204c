using Microsoft.Extensions.Options;

namespace Streaming.Status.Api;

/// <summary>Limits and authentication of the status API (gRPC and its JSON face); bound from the "Grpc" section.</summary>
public sealed class StatusApiOptions
{
    public const string SectionName = "Grpc";

    /// <summary>Default message size limit, both ways (gRPC's usual 4 MiB).</summary>
    public const int DefaultMaxMessageSize = 4 * 1024 * 1024;

    /// <summary>Largest request message accepted, in bytes; larger ones end the call with RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; set; } = DefaultMaxMessageSize;

    /// <summary>Largest response message sent, in bytes; a larger one ends the call with RESOURCE_EXHAUSTED.</summary>
    public int MaxSendMessageSize { get; set; } = DefaultMaxMessageSize;

    /// <summary>WatchDocumentStatus streams open at once; one more is refused with RESOURCE_EXHAUSTED.</summary>
    public int MaxConcurrentWatches { get; set; } = 1000;

    /// <summary>
    /// Accepted bearer tokens. Empty: no authentication. Otherwise every API call (gRPC or JSON) must send
    /// <c>authorization: Bearer &lt;one of these&gt;</c>; health and reflection stay open. Several allow rotation.
    /// </summary>
    public IList<string> BearerTokens { get; } = [];
}

internal sealed class StatusApiOptionsValidator : IValidateOptions<StatusApiOptions>
{
    private const int MinimumTokenLength = 16;

    public ValidateOptionsResult Validate(string? name, StatusApiOptions options)
    {
        var failures = new List<string>();
        if (options.MaxReceiveMessageSize <= 0)
        {
            failures.Add($"{StatusApiOptions.SectionName}:{nameof(options.MaxReceiveMessageSize)} must be a positive number of bytes (default {StatusApiOptions.DefaultMaxMessageSize}).");
        }

        if (options.MaxSendMessageSize <= 0)
        {
            failures.Add($"{StatusApiOptions.SectionName}:{nameof(options.MaxSendMessageSize)} must be a positive number of bytes (default {StatusApiOptions.DefaultMaxMessageSize}).");
        }

        if (options.MaxConcurrentWatches <= 0)
        {
            failures.Add($"{StatusApiOptions.SectionName}:{nameof(options.MaxConcurrentWatches)} must be positive.");
        }

        for (var i = 0; i < options.BearerTokens.Count; i++)
        {
            var token = options.BearerTokens[i];
            // Never put the token itself in the message: it ends up in logs.
            if (string.IsNullOrWhiteSpace(token) || token.Length < MinimumTokenLength)
            {
                failures.Add($"{StatusApiOptions.SectionName}:{nameof(options.BearerTokens)}:{i} must be at least {MinimumTokenLength} characters.");
            }
            else if (token.Any(c => c is <= ' ' or > '~'))
            {
                failures.Add($"{StatusApiOptions.SectionName}:{nameof(options.BearerTokens)}:{i} must be printable ASCII without spaces.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
