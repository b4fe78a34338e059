namespace Larder.Contracts.Oidc;

/// <summary>
/// An entry of the token event log (<c>GET /api/v1/tokens/events</c>): <c>create</c>, <c>revoke</c>, <c>write</c> (the
/// token was used for a write; at most once an hour per token) or <c>oidc-exchange</c> (with the policy that matched).
/// </summary>
public sealed record TokenEventDto(long Id, long? TokenId, string Kind, DateTimeOffset At, string? Detail);
