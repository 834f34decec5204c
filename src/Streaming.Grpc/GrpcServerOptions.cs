using Microsoft.Extensions.Options;

namespace Streaming.Grpc;

/// <summary>Limits and authentication of the gRPC endpoints; bound from the "Grpc" configuration section.</summary>
public sealed class GrpcServerOptions
{
    public const string SectionName = "Grpc";

    /// <summary>Largest request message accepted, in bytes; larger ones end the call with RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; set; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>Largest response message sent, in bytes; a handler producing a larger one ends the call with RESOURCE_EXHAUSTED.</summary>
    public int MaxSendMessageSize { get; set; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>
    /// Accepted bearer tokens. Empty: no authentication. Otherwise every call except
    /// grpc.health.v1.Health must send <c>authorization: Bearer &lt;one of these&gt;</c>.
    /// Several tokens allow rotation without downtime.
    /// </summary>
    public IList<string> BearerTokens { get; } = [];
}

internal sealed class GrpcServerOptionsValidator : IValidateOptions<GrpcServerOptions>
{
    private const int MinimumTokenLength = 16;

    public ValidateOptionsResult Validate(string? name, GrpcServerOptions options)
    {
        var failures = new List<string>();
        if (options.MaxReceiveMessageSize <= 0)
        {
            failures.Add($"{GrpcServerOptions.SectionName}:{nameof(options.MaxReceiveMessageSize)} must be a positive number of bytes (default {GrpcProtocol.DefaultMaxMessageSize}).");
        }

        if (options.MaxSendMessageSize <= 0)
        {
            failures.Add($"{GrpcServerOptions.SectionName}:{nameof(options.MaxSendMessageSize)} must be a positive number of bytes (default {GrpcProtocol.DefaultMaxMessageSize}).");
        }

        for (var i = 0; i < options.BearerTokens.Count; i++)
        {
            var token = options.BearerTokens[i];
            // Never put the token itself in the message: it ends up in logs.
            if (string.IsNullOrWhiteSpace(token) || token.Length < MinimumTokenLength)
            {
                failures.Add($"{GrpcServerOptions.SectionName}:{nameof(options.BearerTokens)}:{i} must be at least {MinimumTokenLength} characters.");
            }
            else if (token.Any(c => c is <= ' ' or > '~'))
            {
                failures.Add($"{GrpcServerOptions.SectionName}:{nameof(options.BearerTokens)}:{i} must be printable ASCII without spaces.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
