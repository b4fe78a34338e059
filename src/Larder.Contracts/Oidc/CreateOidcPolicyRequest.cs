using Larder.Contracts.Tokens;

namespace Larder.Contracts.Oidc;

/// <summary>
/// <c>POST /api/v1/oidc/policies</c>. At least one claim condition is required: an issuer such as GitHub Actions signs
/// tokens for every repository it hosts. <paramref name="LifetimeSeconds"/> defaults to one hour.
/// </summary>
public sealed record CreateOidcPolicyRequest(
    string Name,
    string Issuer,
    string Audience,
    IReadOnlyList<ClaimConditionDto> Conditions,
    IReadOnlyList<GrantDto> Grants,
    int? LifetimeSeconds = null);
