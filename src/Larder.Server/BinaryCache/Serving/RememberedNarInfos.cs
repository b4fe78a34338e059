using Larder.Server.Access;
using Larder.Server.Errors;
using Larder.Server.Metadata;
using Larder.Server.Traffic;
using Microsoft.AspNetCore.Http;

namespace Larder.Server.BinaryCache.Serving;

/// <summary>
/// The hot path, before routing: a <c>GET</c> or <c>HEAD /&lt;cache&gt;/&lt;hash&gt;.narinfo</c> whose answer
/// <see cref="NarInfoMemory"/> holds is answered here (the narinfo, or a 404), with the same headers as the
/// endpoint's, when the caller may read the cache by what the memory also holds: the cache is public and the request
/// anonymous, or the request's token is remembered, unexpired, and has read on the cache. Anything else (an unknown
/// or malformed token included) goes on to routing, the access filter and <see cref="BinaryCacheReader"/>, which
/// give the full answer and fill the memory.
/// </summary>
internal sealed class RememberedNarInfos(
    RequestDelegate next, NarInfoMemory memory, AccessRecorder recorder, TokenUseRecorder uses, TrafficRecorder traffic, TimeProvider time)
{
    private const string Suffix = ".narinfo";

    public Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        if (!(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) ||
            !TrySplit(request.Path.Value, out var cacheName, out var hashPart) ||
            !memory.TryRecallCache(cacheName, out long cacheId, out bool isPublic) ||
            !MayRead(request.Headers.Authorization, cacheName, isPublic, out long? tokenId) ||
            !memory.TryRecall(cacheId, hashPart, out var body))
        {
            return next(http);
        }
        if (tokenId is { } id)
        {
            uses.Record(id);
        }
        traffic.NarInfo(cacheId, hit: body is not null);
        if (body is null)
        {
            CacheHeaders.None(http.Response);
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        recorder.Record(cacheId, hashPart);
        CacheHeaders.NarInfo(http.Response, isPublic);
        return BinaryCacheReader.WriteAsync(http, BinaryCacheReader.NarInfoContentType, body);
    }

    /// <summary>
    /// Whether the memory shows the caller may read the cache: anonymous on a public cache, or a remembered, unexpired
    /// token with read on it (on any cache: a token that is sent must be valid, never ignored).
    /// </summary>
    private bool MayRead(string? authorization, string cacheName, bool isPublic, out long? tokenId)
    {
        tokenId = null;
        if (string.IsNullOrEmpty(authorization))
        {
            return isPublic;
        }
        string? secret;
        try
        {
            secret = CacheAccess.ReadSecret(authorization);
        }
        catch (UnauthorizedException)
        {
            return false;
        }
        if (secret is null ||
            !memory.TryRecallToken(TokenSecrets.Hash(secret), out var token) ||
            token.ExpiresAt is { } expiry && expiry <= time.GetUtcNow() ||
            !isPublic && (Grants.For(token.Grants, cacheName) & Permission.Read) == 0)
        {
            return false;
        }
        tokenId = token.Id;
        return true;
    }

    /// <summary>Splits <c>/&lt;cache&gt;/&lt;32 characters&gt;.narinfo</c>; the memory knows only valid names and hash parts.</summary>
    private static bool TrySplit(string? path, out string cacheName, out string hashPart)
    {
        (cacheName, hashPart) = ("", "");
        if (path is null || path.Length < 2 || path[0] != '/' || !path.EndsWith(Suffix, StringComparison.Ordinal))
        {
            return false;
        }
        int slash = path.IndexOf('/', 1);
        if (slash < 2 || path.Length - slash - 1 != Larder.Nix.Store.StorePath.HashPartLength + Suffix.Length)
        {
            return false;
        }
        cacheName = path[1..slash];
        hashPart = path.Substring(slash + 1, Larder.Nix.Store.StorePath.HashPartLength);
        return true;
    }
}
