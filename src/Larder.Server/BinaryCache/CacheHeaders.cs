using Larder.Server.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Larder.Server.BinaryCache;

/// <summary>
/// Cache-Control values. Narinfos and NARs never change once visible (a path is immutable; only signatures may be
/// added), so shared caches may keep them when the cache is public; private caches allow only the client's own cache.
/// Answers that can change (404, nix-cache-info) are not cached or only briefly.
/// </summary>
internal static class CacheHeaders
{
    private const string PublicImmutable = "public, max-age=31536000, immutable";
    private const string PrivateImmutable = "private, max-age=31536000, immutable";
    private const string PublicNarInfoValue = "public, max-age=86400";
    private const string PrivateNarInfoValue = "private, max-age=86400";
    private const string PublicShort = "public, max-age=300";
    private const string PrivateShort = "private, max-age=300";

    /// <summary>For answers that must not be stored: 404s, redirects to expiring URLs, write responses.</summary>
    public const string NoStore = "no-store";

    public static void Immutable(HttpResponse response, CacheRecord cache) => Immutable(response, cache.IsPublic);

    public static void Immutable(HttpResponse response, bool isPublic) =>
        response.Headers[HeaderNames.CacheControl] = isPublic ? PublicImmutable : PrivateImmutable;

    public static void NarInfo(HttpResponse response, CacheRecord cache) => NarInfo(response, cache.IsPublic);

    public static void NarInfo(HttpResponse response, bool isPublic) =>
        response.Headers[HeaderNames.CacheControl] = isPublic ? PublicNarInfoValue : PrivateNarInfoValue;

    public static void Short(HttpResponse response, CacheRecord cache) =>
        response.Headers[HeaderNames.CacheControl] = cache.IsPublic ? PublicShort : PrivateShort;

    public static void None(HttpResponse response) => response.Headers[HeaderNames.CacheControl] = NoStore;
}
