using Larder.Server.Configuration;
using Larder.Server.Errors;
using Larder.Server.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Larder.Server.Access.Oidc;

/// <summary>
/// Exchanges an OpenID Connect ID token for a short-lived Larder token: the token's issuer selects the trust policies,
/// <see cref="IdTokenValidator"/> checks it, and every policy whose audience and claim conditions it meets adds its
/// grants. The new token lives the shortest lifetime of those policies, at most the ID token's remaining lifetime plus
/// <see cref="OidcOptions.MaxLifetimeBeyondIdToken"/>, and is recorded with the policies in the token event log.
/// </summary>
public sealed partial class OidcExchange(
    IdTokenValidator validator, IMetadataStore store, IOptions<LarderOptions> options, TimeProvider time, ILogger<OidcExchange> logger)
{
    /// <summary>Exchanges <paramref name="rawToken"/>; throws <see cref="OidcRefusedException"/> naming the failed check.</summary>
    public async Task<IssuedToken> ExchangeAsync(string rawToken, CancellationToken cancellationToken)
    {
        try
        {
            return await ExchangeCheckedAsync(rawToken, cancellationToken).ConfigureAwait(false);
        }
        catch (OidcRefusedException e)
        {
            LogRefused(logger, e.Check, e.Message);
            throw;
        }
    }

    private async Task<IssuedToken> ExchangeCheckedAsync(string rawToken, CancellationToken cancellationToken)
    {
        var unverified = validator.Read(rawToken);
        var policies = await store.ListOidcPoliciesForIssuerAsync(unverified.Issuer, cancellationToken).ConfigureAwait(false);
        if (policies.Count == 0)
        {
            throw OidcRefusedException.Invalid("issuer", "no trust policy names the token's issuer ('iss')");
        }
        var audiences = policies.Select(p => p.Audience).Distinct(StringComparer.Ordinal).ToList();
        var token = await validator.ValidateAsync(rawToken, unverified.Issuer, audiences, cancellationToken).ConfigureAwait(false);
        var forAudience = policies.Where(p => token.Audiences.Contains(p.Audience, StringComparer.Ordinal)).ToList();
        var claims = token.Claims.ToList();
        var accepting = forAudience.Where(p => ClaimMatcher.FirstUnmet(p.Conditions, claims) is null).ToList();
        if (accepting.Count == 0)
        {
            var checkedClaims = forAudience.SelectMany(p => p.Conditions).Select(c => c.Claim).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            throw OidcRefusedException.NotAccepted(
                "claims", $"no trust policy for this issuer and audience accepts the token's claims (the policies check {string.Join(", ", checkedClaims)})");
        }
        return await IssueAsync(token, accepting, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IssuedToken> IssueAsync(JsonWebToken idToken, IReadOnlyList<OidcPolicyRecord> policies, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var idTokenExpiry = new DateTimeOffset(idToken.ValidTo, TimeSpan.Zero);
        var bound = idTokenExpiry - now + options.Value.Oidc.MaxLifetimeBeyondIdToken;
        var lifetime = policies.Min(p => p.Lifetime);
        var expiresAt = now + (lifetime < bound ? lifetime : bound);
        var names = string.Join(", ", policies.Select(p => $"'{p.Name}'"));
        var subject = Printable(idToken.Subject);
        var secret = TokenSecrets.Generate();
        var record = new TokenRecord(
            0, Truncate($"oidc: {names} for '{subject}'", 200), TokenSecrets.Hash(secret), [.. policies.SelectMany(p => p.Grants).Distinct()], now,
            expiresAt, null);
        var detail = Truncate($"policies {names} accepted an ID token from {policies[0].Issuer} for sub '{subject}'", 500);
        var issued = await store.IssueOidcTokenAsync(record, [.. policies.Select(p => p.Id)], detail, cancellationToken).ConfigureAwait(false)
            ?? throw new ConflictException("a trust policy was deleted during the exchange; try again");
        LogIssued(logger, issued.Id, names, subject, expiresAt);
        return new IssuedToken(issued, secret, policies);
    }

    private static string Printable(string? value) =>
        string.IsNullOrEmpty(value) ? "" : Truncate(new string([.. value.Where(c => !char.IsControl(c))]), 200);

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..(length - 1)] + "…";

    [LoggerMessage(Level = LogLevel.Information, Message = "OIDC exchange refused ({Check}): {Reason}")]
    private static partial void LogRefused(ILogger logger, string check, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "OIDC exchange issued token {TokenId} under policies {Policies} for sub '{Subject}', expiring {ExpiresAt:O}")]
    private static partial void LogIssued(ILogger logger, long tokenId, string policies, string subject, DateTimeOffset expiresAt);
}

/// <summary>A token issued by <see cref="OidcExchange"/>: the stored record, its secret (shown once) and the policies that accepted the ID token.</summary>
public sealed record IssuedToken(TokenRecord Token, string Secret, IReadOnlyList<OidcPolicyRecord> Policies);
