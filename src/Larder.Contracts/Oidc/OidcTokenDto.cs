using Larder.Contracts.Tokens;

namespace Larder.Contracts.Oidc;

/// <summary>The answer of an exchange: a short-lived Larder token (its secret shown only here) and the policy that matched.</summary>
public sealed record OidcTokenDto(long TokenId, string Secret, DateTimeOffset ExpiresAt, string Policy, IReadOnlyList<GrantDto> Grants);
