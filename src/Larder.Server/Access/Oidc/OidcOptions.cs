using Larder.Server.Configuration;

namespace Larder.Server.Access.Oidc;

/// <summary>The <c>Larder:Oidc</c> configuration section: how ID tokens are checked and how long exchanged tokens live.</summary>
public sealed class OidcOptions
{
    /// <summary>
    /// Accept issuers (and their discovery documents and keys) over plain <c>http://</c>. Off by default: an issuer's
    /// keys fetched without TLS could be replaced by anyone on the path. Only for tests and closed networks.
    /// </summary>
    public bool AllowHttpIssuers { get; set; }

    /// <summary>Tolerance for clocks that disagree when checking <c>exp</c>, <c>nbf</c> and <c>iat</c> (default 30 s).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// An exchanged token lives its policy's lifetime, but never longer than the ID token's remaining lifetime plus this
    /// bound (default 1 hour), so a captured ID token cannot buy a long-lived token.
    /// </summary>
    public TimeSpan MaxLifetimeBeyondIdToken { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// An ID token signed with a key the cached key set lacks makes Larder fetch the issuer's keys again, at most once
    /// per this interval per issuer (default 1 minute; at least 1 s), so unknown key ids cannot make it hammer the issuer.
    /// </summary>
    public TimeSpan KeyRefreshMinInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long an issuer's discovery document and keys are cached before they are fetched again (default 1 hour; at least 5 minutes).</summary>
    public TimeSpan KeyCacheDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Throws <see cref="LarderConfigurationException"/> naming a value out of range.</summary>
    public void Validate()
    {
        if (ClockSkew < TimeSpan.Zero || ClockSkew > TimeSpan.FromMinutes(5))
        {
            throw new LarderConfigurationException($"Larder:Oidc:ClockSkew must be between 00:00:00 and 00:05:00, not {ClockSkew}");
        }
        if (MaxLifetimeBeyondIdToken < TimeSpan.Zero)
        {
            throw new LarderConfigurationException($"Larder:Oidc:MaxLifetimeBeyondIdToken must not be negative, not {MaxLifetimeBeyondIdToken}");
        }
        if (KeyRefreshMinInterval < TimeSpan.FromSeconds(1))
        {
            throw new LarderConfigurationException($"Larder:Oidc:KeyRefreshMinInterval must be at least 00:00:01, not {KeyRefreshMinInterval}");
        }
        if (KeyCacheDuration < TimeSpan.FromMinutes(5))
        {
            throw new LarderConfigurationException($"Larder:Oidc:KeyCacheDuration must be at least 00:05:00, not {KeyCacheDuration}");
        }
    }
}
