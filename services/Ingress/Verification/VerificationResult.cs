namespace Streaming.Ingress.Verification;

/// <summary>Why a request was not verified. The text goes to the caller: it names headers, never secrets or values.</summary>
public enum VerificationFailure
{
    None,
    MissingSignature,
    MalformedSignature,
    SignatureMismatch,
    UnsupportedAlgorithm,
    MissingTimestamp,
    MalformedTimestamp,
    StaleTimestamp,
    FutureTimestamp,
    MissingId,
}

/// <summary>The outcome of checking one request's signature and timestamp.</summary>
public readonly record struct VerificationResult(VerificationFailure Failure, string? Detail)
{
    public static VerificationResult Verified { get; } = new(VerificationFailure.None, null);

    public bool IsVerified => Failure == VerificationFailure.None;

    public static VerificationResult Fail(VerificationFailure failure, string detail) => new(failure, detail);

    /// <summary>A short machine-readable code for the problem body and logs.</summary>
    public string Code => Failure switch
    {
        VerificationFailure.None => "verified",
        VerificationFailure.MissingSignature => "signature_missing",
        VerificationFailure.MalformedSignature => "signature_malformed",
        VerificationFailure.SignatureMismatch => "signature_mismatch",
        VerificationFailure.UnsupportedAlgorithm => "algorithm_unsupported",
        VerificationFailure.MissingTimestamp => "timestamp_missing",
        VerificationFailure.MalformedTimestamp => "timestamp_malformed",
        VerificationFailure.StaleTimestamp => "timestamp_stale",
        VerificationFailure.FutureTimestamp => "timestamp_in_future",
        VerificationFailure.MissingId => "id_missing",
        _ => "unverified",
    };
}
