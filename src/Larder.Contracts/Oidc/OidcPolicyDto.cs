using Larder.Contracts.Tokens;

namespace Larder.Contracts.Oidc;

/// <summary>
/// A trust policy: ID tokens from <paramref name="Issuer"/> for <paramref name="Audience"/> whose claims meet every
/// condition are exchanged for a Larder token with <paramref name="Grants"/> that lives <paramref name="LifetimeSeconds"/>
/// (at most the ID token's remaining lifetime plus the server's bound).
/// </summary>
public sealed record OidcPolicyDto(
    long Id,
    string Name,
    string Issuer,
    string Audience,
    IReadOnlyList<ClaimConditionDto> Conditions,
    IReadOnlyList<GrantDto> Grants,
    int LifetimeSeconds,
    DateTimeOffset CreatedAt);
