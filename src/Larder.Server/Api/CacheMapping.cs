using Larder.Contracts.Caches;
using Larder.Nix.Signing;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Http;

namespace Larder.Server.Api;

/// <summary>Turns cache records into their <c>/api/v1</c> form.</summary>
internal static class CacheMapping
{
    public static CacheDto ToDto(CacheRecord cache, CacheStats stats, string substituterUrl, RetentionDto? retention = null) => new(
        cache.Name,
        cache.IsPublic,
        cache.Priority,
        cache.StoreDir,
        SecretKey.Parse(cache.SigningKey).PublicKey.ToString(),
        cache.UpstreamKeyNames,
        substituterUrl,
        new CacheStatsDto(stats.PathCount, stats.NarBytes, stats.StoredBytes),
        cache.CreatedAt,
        retention,
        cache.Upstreams?.Urls ?? [],
        cache.Upstreams?.PublicKeys ?? [],
        Upstreams.CacheUpstreams.ModeName(cache.Upstreams?.Mode ?? Upstreams.UpstreamMode.Store));

    public static EventDto ToDto(EventRecord record) => new(record.Id, record.Kind, record.StorePath, record.TokenId, record.At, record.Reason);

    /// <summary><c>PublicUrl/name</c> when configured, else the URL this request came to, with the cache name.</summary>
    public static string SubstituterUrl(HttpRequest request, string? publicUrl, string cacheName)
    {
        var baseUrl = string.IsNullOrWhiteSpace(publicUrl)
            ? $"{request.Scheme}://{request.Host}{request.PathBase}"
            : publicUrl.TrimEnd('/');
        return $"{baseUrl}/{cacheName}";
    }
}
