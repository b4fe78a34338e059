using System.Globalization;
using Larder.Contracts.Tokens;
using Larder.Server.BinaryCache.Serving;
using Larder.Server.Errors;
using Larder.Server.Metadata;

namespace Larder.Server.Access;

/// <summary>
/// Creating and revoking tokens, for the API and the dashboard alike. Any token may create tokens with grants it holds
/// itself, expiring no later than itself; they are revoked with it (transitively). Revoking another token needs admin
/// on <c>*</c>; a token may always revoke itself; the last live token with admin on <c>*</c> cannot be revoked.
/// Every refusal is a <see cref="LarderException"/> that names the problem.
/// </summary>
public sealed class TokenCommands(IMetadataStore store, ServingChanges changes, TimeProvider time)
{
    /// <summary>Longest accepted token description.</summary>
    public const int MaxDescriptionLength = 200;

    /// <summary>Creates a token for <paramref name="caller"/>; returns it with its secret, which is never stored.</summary>
    public async Task<(TokenRecord Record, string Secret)> CreateAsync(TokenRecord caller, CreateTokenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var now = time.GetUtcNow();
        var description = ValidateDescription(request.Description);
        var grants = ParseGrants(request.Grants);
        if (request.ExpiresAt is { } expiry && expiry <= now)
        {
            throw new InvalidRequestException($"invalid expiresAt '{expiry:O}': it is not in the future");
        }
        foreach (var grant in grants)
        {
            if (!Grants.CanDelegate(caller.Grants, grant))
            {
                throw new ForbiddenException(
                    $"cannot grant {string.Join(",", PermissionNames.ToNames(grant.Permissions))} on '{grant.CachePattern}': the calling token does not hold it");
            }
        }
        if (caller.ExpiresAt is { } callerExpiry && (request.ExpiresAt is null || request.ExpiresAt > callerExpiry))
        {
            // A request problem, not a missing permission: the same request with an earlier expiresAt succeeds.
            var asked = request.ExpiresAt is { } expiresAt ? $"expires at {expiresAt:O}" : "never expires";
            throw new InvalidRequestException(
                $"the new token would outlive the calling token: it {asked}, but the calling token expires at {callerExpiry:O}; " +
                "give an expiresAt no later than that");
        }
        var secret = TokenSecrets.Generate();
        try
        {
            var record = await store.CreateTokenAsync(
                new TokenRecord(0, description, TokenSecrets.Hash(secret), grants, now, request.ExpiresAt, null, caller.Id),
                cancellationToken).ConfigureAwait(false);
            return (record, secret);
        }
        catch (RevokedCreatorException)
        {
            throw new UnauthorizedException("the token has been revoked");
        }
    }

    /// <summary>Revokes the token with id <paramref name="id"/> (as text, from a URL) and the tokens it created.</summary>
    public async Task RevokeAsync(TokenRecord caller, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var tokenId) || tokenId <= 0)
        {
            throw new InvalidRequestException($"invalid token id '{id}': it must be a positive whole number, as `larder token list` shows");
        }
        if (caller.Id != tokenId && !Grants.IsGlobalAdmin(caller.Grants))
        {
            throw new ForbiddenException("only a token with admin on '*' may revoke other tokens");
        }
        switch (await store.RevokeTokenAsync(tokenId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            case TokenRevocation.Revoked:
                await changes.TokensChangedAsync(cancellationToken).ConfigureAwait(false);
                return;
            case TokenRevocation.NotFound:
                throw new NotFoundException($"no token with id {tokenId}; `larder token list` shows the tokens");
            default:
                throw new ConflictException(
                    $"revoking token {tokenId} would revoke the last unrevoked, unexpired token with admin on '*' (revocation includes " +
                    "every token it created), and nobody could manage tokens or caches any more; create another admin token first, " +
                    "or run `larder admin create-token --data DIR` on the server machine");
        }
    }

    private static string ValidateDescription(string? description)
    {
        var trimmed = description?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            throw new InvalidRequestException("a token description is required");
        }
        if (trimmed.Length > MaxDescriptionLength || trimmed.Any(char.IsControl))
        {
            throw new InvalidRequestException(
                $"invalid description: at most {MaxDescriptionLength} characters and no control characters");
        }
        return trimmed;
    }

    /// <summary>Validates the requested grants; each problem is a 400 that names the grant.</summary>
    internal static IReadOnlyList<TokenGrant> ParseGrants(IReadOnlyList<GrantDto>? grants)
    {
        if (grants is null || grants.Count == 0)
        {
            throw new InvalidRequestException("at least one grant is required, e.g. {\"cache\": \"team-*\", \"permissions\": [\"read\"]}");
        }
        var result = new List<TokenGrant>(grants.Count);
        foreach (var grant in grants)
        {
            if (grant is null || !Grants.IsValidPattern(grant.Cache))
            {
                throw new InvalidRequestException(
                    $"invalid cache pattern '{grant?.Cache}': use a cache name, a prefix ending in '*' (team-*), or '*'");
            }
            if (grant.Permissions is null || grant.Permissions.Count == 0)
            {
                throw new InvalidRequestException($"the grant on '{grant.Cache}' lists no permissions");
            }
            var permissions = Permission.None;
            foreach (var name in grant.Permissions)
            {
                if (!PermissionNames.TryParse(name, out var flag))
                {
                    throw new InvalidRequestException(
                        $"unknown permission '{name}' on '{grant.Cache}': use read, write, delete or admin");
                }
                permissions |= flag;
            }
            result.Add(new TokenGrant(grant.Cache, permissions));
        }
        return result;
    }
}
