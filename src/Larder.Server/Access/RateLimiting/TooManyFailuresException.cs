using Larder.Server.Errors;

namespace Larder.Server.Access.RateLimiting;

/// <summary>The client address failed authentication too often (HTTP 429); <see cref="RetryAfter"/> says when it may try again.</summary>
public sealed class TooManyFailuresException(TimeSpan retryAfter)
    : LarderException(
        ErrorKind.TooManyRequests,
        $"too many failed authentication attempts from this address; retry in {Math.Ceiling(retryAfter.TotalSeconds)} s (a valid token is never limited)")
{
    /// <summary>How long until the address may fail again.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}
