namespace Larder.Contracts.Tokens;

/// <summary>
/// A token as listed by <c>GET /api/v1/tokens</c>; never carries the secret. <see cref="CreatedBy"/> is the id of the
/// token that created it (null for admin tokens made on the server machine); <see cref="LastUsedAt"/> lags by a few
/// seconds (uses are written in batches) and is null for a token never used.
/// </summary>
public sealed record TokenDto(
    long Id,
    string Description,
    IReadOnlyList<GrantDto> Grants,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    long? CreatedBy = null,
    DateTimeOffset? LastUsedAt = null);
