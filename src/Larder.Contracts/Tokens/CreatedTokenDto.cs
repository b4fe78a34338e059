namespace Larder.Contracts.Tokens;

/// <summary>Answer of <c>POST /api/v1/tokens</c>: the only time the <paramref name="Secret"/> is ever shown.</summary>
public sealed record CreatedTokenDto(TokenDto Token, string Secret);
