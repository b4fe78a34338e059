using Larder.Server.Access;
using Microsoft.AspNetCore.Http;

namespace Larder.Server.BinaryCache.Serving;

/// <summary>
/// The hot path, before routing: an anonymous <c>GET</c> or <c>HEAD /&lt;cache&gt;/&lt;hash&gt;.narinfo</c> for a public
/// cache whose answer <see cref="NarInfoMemory"/> holds is answered here (the narinfo, or a 404), with the same headers
/// as the endpoint's. Anything else goes on to routing, the access filter and <see cref="BinaryCacheReader"/>.
/// </summary>
internal sealed class RememberedNarInfos(RequestDelegate next, NarInfoMemory memory, AccessRecorder recorder)
{
    private const string Suffix = ".narinfo";

    public Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        if (!(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) ||
            request.Headers.ContainsKey("Authorization") ||
            !TrySplit(request.Path.Value, out var cacheName, out var hashPart) ||
            !memory.TryRecallPublicCache(cacheName, out long cacheId) ||
            !memory.TryRecall(cacheId, hashPart, out var body))
        {
            return next(http);
        }
        if (body is null)
        {
            CacheHeaders.None(http.Response);
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        recorder.Record(cacheId, hashPart);
        CacheHeaders.PublicNarInfo(http.Response);
        return BinaryCacheReader.WriteAsync(http, BinaryCacheReader.NarInfoContentType, body);
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
