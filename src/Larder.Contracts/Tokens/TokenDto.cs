namespace Larder.Contracts.Tokens;

/// <summary>A token as listed by <c>GET /api/v1/tokens</c>; never carries the secret.</summary>
public sealed record TokenDto(
    long Id,
    string Description,
    IReadOnlyList<GrantDto> Grants,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt);
