using Larder.Contracts.Oidc;
using Larder.Server.Access.Oidc;
using Larder.Server.Metadata;

namespace Larder.Server.Api.Oidc;

/// <summary>Turns OIDC policies and token events into their <c>/api/v1</c> form.</summary>
internal static class OidcMapping
{
    public static OidcPolicyDto ToDto(OidcPolicyRecord policy) => new(
        policy.Id,
        policy.Name,
        policy.Issuer,
        policy.Audience,
        [.. policy.Conditions.Select(c => new ClaimConditionDto(c.Claim, c.Value, c.IsGlob ? "glob" : "exact"))],
        TokenMapping.ToDtos(policy.Grants),
        (int)policy.Lifetime.TotalSeconds,
        policy.CreatedAt);

    public static TokenEventDto ToDto(TokenEventRecord e) => new(e.Id, e.TokenId, e.Kind, e.At, e.Detail);
}
