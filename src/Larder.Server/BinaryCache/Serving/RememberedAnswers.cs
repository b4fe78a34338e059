using System.Runtime.CompilerServices;
using Larder.Server.Access;
using Larder.Server.Errors;
using Larder.Server.Metadata;
using Larder.Server.SocketThreads;
using Larder.Server.Traffic;
using Microsoft.AspNetCore.Http;

namespace Larder.Server.BinaryCache.Serving;

/// <summary>
/// The hot path, before routing: a <c>GET</c> or <c>HEAD</c> of <c>/&lt;cache&gt;/&lt;hash&gt;.narinfo</c> is answered
/// here (the narinfo, or a 404), from <see cref="NarInfoMemory"/> or, when it does not hold the path, from the path's
/// row (<see cref="NarInfoLookup"/>, which remembers it; a cache with upstreams goes on to routing instead), and one of
/// <c>/&lt;cache&gt;/nar/&lt;FileHash&gt;.nar.zst</c> is sent here, Range included, from the memory (a narinfo is
/// remembered with its NAR, and Nix often fetches the narinfo just before the NAR) or, on a <c>GET</c>, from the NAR's
/// row in the database; both with the endpoints' headers, when the
/// caller may read the cache by what the memory also holds: the cache is public and the request anonymous, or the
/// request's token is remembered, unexpired, and has read on the cache. Anything else (an unknown or malformed token
/// included) goes on to routing, the access filter and <see cref="BinaryCacheReader"/>, which give the full answer
/// and fill the memory. Forgetting a path's narinfo forgets its NAR with it: a deleted, evicted or quarantined path's
/// NAR stops being sent here at once. Narinfos (and their 404s) and NARs whose bytes the inline blob cache holds are
/// answered on the socket's epoll thread when the request was read there (<see cref="SocketThreadGate"/>); everything
/// else moves to the thread pool first.
/// </summary>
internal sealed class RememberedAnswers(
    RequestDelegate next, NarInfoMemory memory, NarInfoLookup lookup, NarDownload download, IMetadataStore metadata, AccessRecorder recorder,
    TokenUseRecorder uses, TrafficRecorder traffic, TimeProvider time)
{
    private const string NarInfoSuffix = ".narinfo";
    private const string NarSegment = "/nar/";
    private const string NarSuffix = ".nar.zst";

    // Kestrel hands a connection's requests the same header string while the bytes repeat, so the secret is parsed and
    // hashed once per connection rather than per request. Keyed by that string's identity and held weakly: an entry
    // goes when the connection lets the string go, and no secret is kept beyond it.
    private readonly ConditionalWeakTable<string, string> _secretHashes = new();

    public Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        // Taken before anything is recalled: a path read from the database below is remembered only if nothing changed.
        long generation = memory.Generation;
        if (!(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) ||
            !TrySplit(request.Path.Value, out var cacheName, out var key, out bool isNar) ||
            !memory.TryRecallCache(cacheName, out long cacheId, out bool isPublic, out bool hasUpstreams) ||
            !MayRead(request.Headers.Authorization, cacheName, isPublic, out long? tokenId))
        {
            return SocketThread.RunElsewhere(http, next);
        }
        if (isNar)
        {
            if (memory.TryRecallNar(cacheId, key, out var nar))
            {
                return SendNarWhereItFitsAsync(http, isPublic, nar, cacheId, tokenId);
            }
            // A NAR asked for without its narinfo just before (Nix keeps narinfos for a month, and fetches a large
            // closure's NARs long after it asked for their narinfos) costs its row, read where the request was read as
            // for a narinfo: through routing and the thread pool such a request took twice the CPU. A HEAD (a push
            // asking whether its upload is already there) and a NAR the cache lacks go on to routing, which has the
            // answers for staged uploads and upstreams.
            return HttpMethods.IsGet(request.Method)
                ? FindAndSendNarAsync(http, cacheId, isPublic, key, tokenId)
                : SocketThread.RunElsewhere(http, next);
        }
        if (memory.TryRecall(cacheId, key, out var body))
        {
            return AnswerNarInfoAsync(http, cacheId, isPublic, key, body, tokenId);
        }
        // A path not asked for within the memory's age (the first of the four times Nix asks during a copy) costs its
        // row only: the cache and the token are known. The read stays where the request was read, as a static file
        // server opens its file on its event loop: on SQLite one indexed read of a local file, on PostgreSQL until the
        // query is sent (its answer resumes on the thread pool). A cache with upstreams asks them on a miss, past
        // routing.
        return hasUpstreams
            ? SocketThread.RunElsewhere(http, next)
            : FindAndAnswerNarInfoAsync(http, cacheId, isPublic, key, tokenId, generation);
    }

    /// <summary>
    /// Sends <paramref name="nar"/> where the request was read when all its bytes are in memory, like a narinfo; one on
    /// disk or in the bucket is read on the thread pool.
    /// </summary>
    private Task SendNarWhereItFitsAsync(HttpContext http, bool isPublic, NarRecord nar, long cacheId, long? tokenId) =>
        download.IsInMemory(nar)
            ? SendNarAsync(http, isPublic, nar, cacheId, tokenId)
            : SocketThread.RunElsewhere(http, http => SendNarAsync(http, isPublic, nar, cacheId, tokenId));

    private async Task FindAndSendNarAsync(HttpContext http, long cacheId, bool isPublic, string fileHash, long? tokenId)
    {
        if (await metadata.GetNarByFileHashAsync(cacheId, "sha256:" + fileHash, http.RequestAborted).ConfigureAwait(false) is { } nar)
        {
            await SendNarWhereItFitsAsync(http, isPublic, nar, cacheId, tokenId).ConfigureAwait(false);
        }
        else
        {
            await SocketThread.RunElsewhere(http, next).ConfigureAwait(false);
        }
    }

    private Task SendNarAsync(HttpContext http, bool isPublic, NarRecord nar, long cacheId, long? tokenId)
    {
        RecordUse(tokenId);
        CacheHeaders.None(http.Response);
        traffic.NarStarting(http, cacheId, nar.FileSize);
        return download.SendAsync(http, isPublic, nar, http.RequestAborted);
    }

    private async Task FindAndAnswerNarInfoAsync(HttpContext http, long cacheId, bool isPublic, string hashPart, long? tokenId, long generation)
    {
        var body = await lookup.ReadAsync(cacheId, hasUpstreams: false, hashPart, generation, http.RequestAborted).ConfigureAwait(false);
        await AnswerNarInfoAsync(http, cacheId, isPublic, hashPart, body, tokenId).ConfigureAwait(false);
    }

    private Task AnswerNarInfoAsync(HttpContext http, long cacheId, bool isPublic, string key, byte[]? body, long? tokenId)
    {
        RecordUse(tokenId);
        traffic.NarInfo(cacheId, hit: body is not null);
        if (body is null)
        {
            CacheHeaders.None(http.Response);
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        recorder.Record(cacheId, key);
        CacheHeaders.NarInfo(http.Response, isPublic);
        return BinaryCacheReader.WriteAsync(http, BinaryCacheReader.NarInfoContentType, body);
    }

    private void RecordUse(long? tokenId)
    {
        if (tokenId is { } id)
        {
            uses.Record(id);
        }
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
        if (SecretHash(authorization) is not { } secretHash ||
            !memory.TryRecallToken(secretHash, out var token) ||
            token.ExpiresAt is { } expiry && expiry <= time.GetUtcNow() ||
            !isPublic && (Grants.For(token.Grants, cacheName) & Permission.Read) == 0)
        {
            return false;
        }
        tokenId = token.Id;
        return true;
    }

    /// <summary>The hash of the token secret that <paramref name="authorization"/> carries, or null when it is malformed.</summary>
    private string? SecretHash(string authorization)
    {
        if (_secretHashes.TryGetValue(authorization, out var known))
        {
            return known;
        }
        string? secret;
        try
        {
            secret = CacheAccess.ReadSecret(authorization);
        }
        catch (UnauthorizedException)
        {
            return null;
        }
        if (secret is null)
        {
            return null;
        }
        var hash = TokenSecrets.Hash(secret);
        _secretHashes.AddOrUpdate(authorization, hash);
        return hash;
    }

    /// <summary>
    /// Splits <c>/&lt;cache&gt;/&lt;32 characters&gt;.narinfo</c> (the key is the hash part) or
    /// <c>/&lt;cache&gt;/nar/&lt;52 characters&gt;.nar.zst</c> (the key is the FileHash); the memory knows only valid
    /// names and hashes.
    /// </summary>
    private static bool TrySplit(string? path, out string cacheName, out string key, out bool isNar)
    {
        (cacheName, key, isNar) = ("", "", false);
        int slash = path is null || path.Length < 2 || path[0] != '/' ? -1 : path.IndexOf('/', 1);
        if (path is null || slash < 2)
        {
            return false;
        }
        int rest = path.Length - slash - 1;
        if (rest == Larder.Nix.Store.StorePath.HashPartLength + NarInfoSuffix.Length && path.EndsWith(NarInfoSuffix, StringComparison.Ordinal))
        {
            key = path.Substring(slash + 1, Larder.Nix.Store.StorePath.HashPartLength);
        }
        else if (rest == NarSegment.Length - 1 + NarFileName.HashLength + NarSuffix.Length && path.EndsWith(NarSuffix, StringComparison.Ordinal) &&
                 string.CompareOrdinal(path, slash, NarSegment, 0, NarSegment.Length) == 0)
        {
            key = path.Substring(slash + NarSegment.Length, NarFileName.HashLength);
            isNar = true;
        }
        else
        {
            return false;
        }
        cacheName = path[1..slash];
        return true;
    }
}
