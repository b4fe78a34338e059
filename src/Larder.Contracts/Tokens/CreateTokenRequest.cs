namespace Larder.Contracts.Tokens;

/// <summary>Body of <c>POST /api/v1/tokens</c>.</summary>
/// <param name="Description">What the token is for (required, at most 200 characters).</param>
/// <param name="Grants">At least one grant; the caller must itself hold every permission it grants.</param>
/// <param name="ExpiresAt">Optional expiry, in the future.</param>
public sealed record CreateTokenRequest(string? Description, IReadOnlyList<GrantDto>? Grants, DateTimeOffset? ExpiresAt = null);
