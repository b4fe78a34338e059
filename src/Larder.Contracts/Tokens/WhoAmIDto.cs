namespace Larder.Contracts.Tokens;

/// <summary>Answer of <c>GET /api/v1/whoami</c>: the calling token.</summary>
public sealed record WhoAmIDto(long Id, string Description, IReadOnlyList<GrantDto> Grants, DateTimeOffset? ExpiresAt);
