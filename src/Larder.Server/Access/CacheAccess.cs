using System.Buffers;
using System.Text;
using Larder.Server.BinaryCache.Serving;
using Larder.Server.Errors;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Larder.Server.Access;

/// <summary>
/// Who is calling and what they may do. A token comes as <c>Authorization: Bearer &lt;secret&gt;</c> or as the password
/// of HTTP Basic (any user name; that is how Nix's netrc sends it). Valid tokens and existing caches are remembered in
/// <see cref="NarInfoMemory"/> (a push's two requests would otherwise read both twice), which a revocation or a change
/// of the cache forgets at once on this replica and within moments on the others
/// (<see cref="NarInfoMemory.MaxAge"/> at most, if the notice is lost). Unknown and revoked tokens are always read.
/// </summary>
public sealed class CacheAccess(IMetadataStore store, NarInfoMemory memory, TimeProvider time, TokenUseRecorder uses)
{
    private static readonly object TokenItemKey = new();

    /// <summary>
    /// The calling token, or null when the request carries none. A token that is unknown, expired or revoked is a
    /// 401 (never silently anonymous). The result is remembered for the rest of the request.
    /// </summary>
    public async Task<TokenRecord?> AuthenticateAsync(HttpContext http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.Items.TryGetValue(TokenItemKey, out var remembered))
        {
            return (TokenRecord?)remembered;
        }
        var secret = ReadSecret(http.Request.Headers.Authorization);
        TokenRecord? token = null;
        if (secret is not null)
        {
            token = await FindTokenAsync(TokenSecrets.Hash(secret), cancellationToken).ConfigureAwait(false);
            if (token.ExpiresAt is { } expiry && expiry <= time.GetUtcNow())
            {
                throw new UnauthorizedException("the token has expired");
            }
            uses.Record(token.Id);
        }
        http.Items[TokenItemKey] = token;
        return token;
    }

    /// <summary>
    /// The cache, if the caller may do <paramref name="needed"/> on it. Reading a public cache needs no token. Without
    /// a token, anything else is a 401 whether or not the cache exists (a private cache reveals nothing); a token
    /// without any permission on the name gets 403 whether or not it exists; a token that could see it gets 404 when
    /// it does not exist, and 403 when it lacks <paramref name="needed"/>.
    /// </summary>
    public async Task<CacheRecord> AuthorizeAsync(HttpContext http, string cacheName, Permission needed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cacheName);
        var token = await AuthenticateAsync(http, cancellationToken).ConfigureAwait(false);
        var cache = await FindCacheAsync(cacheName, cancellationToken).ConfigureAwait(false);
        if (cache is not null && cache.IsPublic && needed == Permission.Read)
        {
            return cache;
        }
        if (token is null)
        {
            throw new UnauthorizedException($"authentication required for cache '{cacheName}'");
        }
        var held = Grants.For(token.Grants, cacheName);
        if (held == Permission.None)
        {
            throw new ForbiddenException($"the token has no access to cache '{cacheName}'");
        }
        if (cache is null)
        {
            throw new NotFoundException($"no cache named '{cacheName}'");
        }
        if ((held & needed) != needed)
        {
            throw new ForbiddenException($"the token lacks {PermissionNames.Describe(needed & ~held)} permission on cache '{cacheName}'");
        }
        return cache;
    }

    /// <summary>The calling token; a 401 when the request has none.</summary>
    public async Task<TokenRecord> RequireTokenAsync(HttpContext http, CancellationToken cancellationToken) =>
        await AuthenticateAsync(http, cancellationToken).ConfigureAwait(false)
        ?? throw new UnauthorizedException("authentication required: send 'Authorization: Bearer <token>'");

    /// <summary>The valid (not revoked) token with this secret hash; a 401 when there is none.</summary>
    private async Task<TokenRecord> FindTokenAsync(string secretHash, CancellationToken cancellationToken)
    {
        if (memory.TryRecallToken(secretHash, out var remembered))
        {
            return remembered;
        }
        var generation = memory.Generation;
        var token = await store.GetTokenBySecretHashAsync(secretHash, cancellationToken).ConfigureAwait(false)
            ?? throw new UnauthorizedException("the token is not valid");
        if (token.RevokedAt is not null)
        {
            throw new UnauthorizedException("the token has been revoked");
        }
        memory.RememberToken(token, generation);
        return token;
    }

    private async Task<CacheRecord?> FindCacheAsync(string name, CancellationToken cancellationToken)
    {
        if (memory.TryRecallCache(name, out var remembered))
        {
            return remembered;
        }
        var generation = memory.Generation;
        var cache = await store.GetCacheAsync(name, cancellationToken).ConfigureAwait(false);
        if (cache is not null)
        {
            memory.RememberCache(cache, generation);
        }
        return cache;
    }

    internal static string? ReadSecret(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }
        var value = header.AsSpan().Trim();
        if (value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var secret = value["Bearer ".Length..].Trim();
            return secret.IsEmpty ? throw Malformed("the Bearer token is empty") : secret.ToString();
        }
        if (value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return ReadBasicPassword(value["Basic ".Length..].Trim());
        }
        throw Malformed("the Authorization header must be 'Bearer <token>' or HTTP Basic with the token as password");
    }

    private static string ReadBasicPassword(ReadOnlySpan<char> encoded)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(encoded.Length);
        try
        {
            if (!Convert.TryFromBase64Chars(encoded, buffer, out var length))
            {
                throw Malformed("the Basic credentials are not valid base64");
            }
            var decoded = Encoding.UTF8.GetString(buffer, 0, length);
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            var password = colon < 0 ? "" : decoded[(colon + 1)..];
            return password.Length == 0 ? throw Malformed("the Basic credentials carry no password (the token)") : password;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static UnauthorizedException Malformed(string message) => new(message);

    /// <summary>The challenge sent with every 401, so that Nix retries with its netrc credentials.</summary>
    public static readonly string Challenge = $"Basic realm=\"larder\"";

    /// <summary>The header name for <see cref="Challenge"/>.</summary>
    public static readonly string ChallengeHeader = HeaderNames.WWWAuthenticate;
}
