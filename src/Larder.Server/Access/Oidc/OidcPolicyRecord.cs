using Larder.Server.Metadata;

namespace Larder.Server.Access.Oidc;

/// <summary>
/// A trust policy as stored: ID tokens from <see cref="Issuer"/> for <see cref="Audience"/> that meet every one of
/// <see cref="Conditions"/> are exchanged for a Larder token with <see cref="Grants"/> living <see cref="Lifetime"/>
/// (capped by <see cref="OidcOptions.MaxLifetimeBeyondIdToken"/>). <see cref="CreatedBy"/> is the admin token that made it.
/// </summary>
public sealed record OidcPolicyRecord(
    long Id,
    string Name,
    string Issuer,
    string Audience,
    IReadOnlyList<ClaimCondition> Conditions,
    IReadOnlyList<TokenGrant> Grants,
    TimeSpan Lifetime,
    DateTimeOffset CreatedAt,
    long? CreatedBy);

/// <summary>A condition on one claim: its value equals <see cref="Value"/>, or matches it as a glob when <see cref="IsGlob"/>.</summary>
public sealed record ClaimCondition(string Claim, string Value, bool IsGlob);
