using Larder.Contracts;
using Larder.Contracts.Caches;

namespace Larder.Cli.Client;

public sealed partial class LarderClient
{
    private static string CachePath(string cache) => $"api/v1/caches/{Uri.EscapeDataString(cache)}";

    /// <summary><c>GET /api/v1/caches/{name}</c>.</summary>
    public Task<CacheDto> GetCacheAsync(string cache, CancellationToken cancellationToken) =>
        SendJsonAsync(() => new HttpRequestMessage(HttpMethod.Get, CachePath(cache)), LarderJsonContext.Default.CacheDto,
            new Operation($"get cache '{cache}'", "read", cache), cancellationToken);

    /// <summary><c>GET /api/v1/caches</c>: the caches the token can see.</summary>
    public Task<IReadOnlyList<CacheDto>> ListCachesAsync(CancellationToken cancellationToken) =>
        SendJsonAsync(() => new HttpRequestMessage(HttpMethod.Get, "api/v1/caches"), LarderJsonContext.Default.IReadOnlyListCacheDto,
            new Operation("list caches"), cancellationToken);

    /// <summary><c>POST /api/v1/caches</c>.</summary>
    public Task<CacheDto> CreateCacheAsync(CreateCacheRequest request, CancellationToken cancellationToken) =>
        SendJsonAsync(() => Json(HttpMethod.Post, "api/v1/caches", request, LarderJsonContext.Default.CreateCacheRequest),
            LarderJsonContext.Default.CacheDto, new Operation($"create cache '{request.Name}'", "admin", "*"), cancellationToken);

    /// <summary><c>PATCH /api/v1/caches/{name}</c>.</summary>
    public Task<CacheDto> UpdateCacheAsync(string cache, UpdateCacheRequest request, CancellationToken cancellationToken) =>
        SendJsonAsync(() => Json(HttpMethod.Patch, CachePath(cache), request, LarderJsonContext.Default.UpdateCacheRequest),
            LarderJsonContext.Default.CacheDto, new Operation($"configure cache '{cache}'", "admin", cache), cancellationToken);

    /// <summary><c>DELETE /api/v1/caches/{name}</c>.</summary>
    public Task DeleteCacheAsync(string cache, CancellationToken cancellationToken) =>
        SendNoContentAsync(() => new HttpRequestMessage(HttpMethod.Delete, CachePath(cache)),
            new Operation($"delete cache '{cache}'", "admin", cache), cancellationToken);

    /// <summary><c>GET /api/v1/caches/{name}/events?limit=N</c>: the push log, newest first.</summary>
    public Task<IReadOnlyList<EventDto>> ListEventsAsync(string cache, int? limit, CancellationToken cancellationToken) =>
        SendJsonAsync(() => new HttpRequestMessage(HttpMethod.Get, $"{CachePath(cache)}/events{(limit is { } n ? $"?limit={n}" : "")}"),
            LarderJsonContext.Default.IReadOnlyListEventDto, new Operation($"list the events of cache '{cache}'", "read", cache), cancellationToken);

    /// <summary><c>PUT /api/v1/caches/{name}/signing-key</c>: import or generate the cache's key; the server re-signs its paths.</summary>
    public Task<SigningKeyDto> ReplaceSigningKeyAsync(string cache, SigningKeyRequest request, CancellationToken cancellationToken) =>
        SendJsonAsync(() => Json(HttpMethod.Put, $"{CachePath(cache)}/signing-key", request, LarderJsonContext.Default.SigningKeyRequest),
            LarderJsonContext.Default.SigningKeyDto, new Operation($"replace the signing key of cache '{cache}'", "admin", cache), cancellationToken);
}
