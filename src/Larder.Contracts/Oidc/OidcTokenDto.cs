using Larder.Contracts.Tokens;

namespace Larder.Contracts.Oidc;

/// <summary>
/// The answer of an exchange: a short-lived Larder token (its secret shown only here) with the grants of every policy
/// that accepted the ID token (<paramref name="Policies"/>, by name).
/// </summary>
public sealed record OidcTokenDto(long TokenId, string Secret, DateTimeOffset ExpiresAt, IReadOnlyList<string> Policies, IReadOnlyList<GrantDto> Grants);
