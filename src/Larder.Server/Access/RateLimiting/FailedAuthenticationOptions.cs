using Larder.Server.Configuration;

namespace Larder.Server.Access.RateLimiting;

/// <summary>
/// The <c>Larder:FailedAuthentication</c> configuration section: each client address may fail authentication
/// <see cref="Burst"/> times in a row, then once per <see cref="RefillInterval"/>; beyond that its failures are answered
/// 429 with <c>Retry-After</c>. Requests with a valid token are never limited.
/// </summary>
public sealed class FailedAuthenticationOptions
{
    /// <summary>Failures an address may have in a burst (default 20).</summary>
    public int Burst { get; set; } = 20;

    /// <summary>After a burst, one more failure is allowed per this interval (default 3 s, so 20 a minute).</summary>
    public TimeSpan RefillInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Throws <see cref="LarderConfigurationException"/> naming a value out of range.</summary>
    public void Validate()
    {
        if (Burst < 1)
        {
            throw new LarderConfigurationException($"Larder:FailedAuthentication:Burst must be at least 1, not {Burst}");
        }
        if (RefillInterval <= TimeSpan.Zero)
        {
            throw new LarderConfigurationException(
                $"Larder:FailedAuthentication:RefillInterval must be a positive duration such as 00:00:03, not {RefillInterval}");
        }
    }
}
