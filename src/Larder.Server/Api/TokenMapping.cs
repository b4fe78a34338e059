using Larder.Contracts.Tokens;
using Larder.Server.Access;
using Larder.Server.Metadata;

namespace Larder.Server.Api;

/// <summary>Turns token records into their <c>/api/v1</c> form (never with the secret or its hash).</summary>
internal static class TokenMapping
{
    public static TokenDto ToDto(TokenRecord token) =>
        new(token.Id, token.Description, ToDtos(token.Grants), token.CreatedAt, token.ExpiresAt, token.RevokedAt, token.CreatedBy, token.LastUsedAt);

    public static IReadOnlyList<GrantDto> ToDtos(IReadOnlyList<TokenGrant> grants) =>
        [.. grants.Select(g => new GrantDto(g.CachePattern, PermissionNames.ToNames(g.Permissions)))];
}
