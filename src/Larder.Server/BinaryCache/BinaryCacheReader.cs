using System.Text;
using Larder.Nix.Store;
using Larder.Server.Access;
using Larder.Server.Metadata;
using Larder.Server.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Larder.Server.BinaryCache;

/// <summary>
/// The read side of Nix's binary cache protocol (GET and HEAD): <c>nix-cache-info</c>, <c>&lt;hash&gt;.narinfo</c>,
/// <c>&lt;hash&gt;.ls</c>, <c>nar/&lt;FileHash&gt;.nar.zst</c>, <c>log/&lt;drv&gt;</c>. Absent things are 404s that
/// no one caches; private caches answer only to a token with Read (through <see cref="CacheAccess"/>).
/// </summary>
internal sealed class BinaryCacheReader(
    CacheAccess access, IMetadataStore metadata, IBlobStore blobs, AccessRecorder recorder, NarDownload download, NarInfoMicroCache recent)
{
    public const string NarInfoContentType = "text/x-nix-narinfo";
    private const int BufferSize = 1 << 16;

    /// <summary><c>GET /&lt;cache&gt;/&lt;file&gt;</c>: cache info, narinfo or listing.</summary>
    public async Task GetFileAsync(HttpContext http, string cacheName, string file)
    {
        var ct = http.RequestAborted;
        string? narInfoHash = TryHashPart(file, ".narinfo");
        if (narInfoHash is not null && !http.Request.Headers.ContainsKey(HeaderNames.Authorization) &&
            recent.TryGet(cacheName, narInfoHash, out long cacheId, out var body))
        {
            recorder.Record(cacheId, narInfoHash);
            CacheHeaders.PublicNarInfo(http.Response);
            await WriteAsync(http, NarInfoContentType, body).ConfigureAwait(false);
            return;
        }
        CacheHeaders.None(http.Response);
        var cache = await access.AuthorizeAsync(http, cacheName, Permission.Read, ct).ConfigureAwait(false);
        if (narInfoHash is not null)
        {
            await GetNarInfoAsync(http, cache, narInfoHash, ct).ConfigureAwait(false);
        }
        else if (file == "nix-cache-info")
        {
            CacheHeaders.Short(http.Response, cache);
            await WriteAsync(http, "text/x-nix-cache-info", CacheInfo(cache)).ConfigureAwait(false);
        }
        else if (TryHashPart(file, ".ls") is { } listingHash)
        {
            await GetListingAsync(http, cache, listingHash, ct).ConfigureAwait(false);
        }
        else
        {
            NotFound(http);
        }
    }

    /// <summary><c>GET /&lt;cache&gt;/nar/&lt;file&gt;</c>.</summary>
    public async Task GetNarAsync(HttpContext http, string cacheName, string file)
    {
        var ct = http.RequestAborted;
        CacheHeaders.None(http.Response);
        var cache = await access.AuthorizeAsync(http, cacheName, Permission.Read, ct).ConfigureAwait(false);
        if (NarFileName.TryParse(file, out _) is not { } name)
        {
            NotFound(http);
            return;
        }
        if (name.Compression == Larder.Nix.Compression.CompressionKind.Zstd &&
            await metadata.GetNarByFileHashAsync(cache.Id, "sha256:" + name.Hash, ct).ConfigureAwait(false) is { } nar)
        {
            await download.SendAsync(http, cache, nar, ct).ConfigureAwait(false);
            return;
        }
        // Nix asks (HEAD) whether an upload target exists before PUTting it: a staged upload at that URL counts,
        // so a retried push does not send the same NAR twice. It is never served (GET) before its narinfo commits.
        if (HttpMethods.IsHead(http.Request.Method) &&
            await metadata.GetStagedNarAsync(cache.Id, name.Url, ct).ConfigureAwait(false) is { } staged)
        {
            http.Response.ContentType = "application/x-nix-nar";
            http.Response.ContentLength = staged.UploadFileSize;
            return;
        }
        NotFound(http);
    }

    /// <summary><c>GET /&lt;cache&gt;/log/&lt;drv base name&gt;</c>.</summary>
    public async Task GetLogAsync(HttpContext http, string cacheName, string drvName)
    {
        var ct = http.RequestAborted;
        CacheHeaders.None(http.Response);
        var cache = await access.AuthorizeAsync(http, cacheName, Permission.Read, ct).ConfigureAwait(false);
        if (!StorePath.IsValidBaseName(drvName) ||
            await metadata.GetBuildLogKeyAsync(cache.Id, drvName, ct).ConfigureAwait(false) is not { } key)
        {
            NotFound(http);
            return;
        }
        CacheHeaders.Short(http.Response, cache);
        await SendBlobAsync(http, key, "text/plain; charset=utf-8", ct).ConfigureAwait(false);
    }

    private async Task GetNarInfoAsync(HttpContext http, CacheRecord cache, string hashPart, CancellationToken ct)
    {
        var entry = await metadata.GetPathAsync(cache.Id, hashPart, ct).ConfigureAwait(false);
        if (entry is null)
        {
            NotFound(http);
            return;
        }
        recorder.Record(cache.Id, hashPart);
        CacheHeaders.NarInfo(http.Response, cache);
        var body = NarInfoText.Render(entry);
        if (cache.IsPublic)
        {
            recent.Add(cache.Name, hashPart, cache.Id, body);
        }
        await WriteAsync(http, NarInfoContentType, body).ConfigureAwait(false);
    }

    private async Task GetListingAsync(HttpContext http, CacheRecord cache, string hashPart, CancellationToken ct)
    {
        var entry = await metadata.GetPathAsync(cache.Id, hashPart, ct).ConfigureAwait(false);
        if (entry?.Nar.ListingKey is not { } key)
        {
            NotFound(http);
            return;
        }
        CacheHeaders.Immutable(http.Response, cache);
        await SendBlobAsync(http, key, "application/json", ct).ConfigureAwait(false);
    }

    private async Task SendBlobAsync(HttpContext http, string key, string contentType, CancellationToken ct)
    {
        long size = await blobs.GetSizeAsync(key, ct).ConfigureAwait(false) ?? throw new BlobNotFoundException(key);
        http.Response.ContentType = contentType;
        http.Response.ContentLength = size;
        if (HttpMethods.IsHead(http.Request.Method))
        {
            return;
        }
        var input = await blobs.OpenReadAsync(key, 0, ct).ConfigureAwait(false);
        await using (input.ConfigureAwait(false))
        {
            await input.CopyToAsync(http.Response.Body, BufferSize, ct).ConfigureAwait(false);
        }
    }

    private static Task WriteAsync(HttpContext http, string contentType, byte[] body)
    {
        var response = http.Response;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(http.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body, 0, body.Length, http.RequestAborted);
    }

    private static void NotFound(HttpContext http)
    {
        CacheHeaders.None(http.Response);
        http.Response.StatusCode = StatusCodes.Status404NotFound;
    }

    /// <summary>The cache's <c>nix-cache-info</c>.</summary>
    public static byte[] CacheInfo(CacheRecord cache) =>
        Encoding.UTF8.GetBytes($"StoreDir: {cache.StoreDir}\nWantMassQuery: 1\nPriority: {cache.Priority}\n");

    /// <summary>The 32-character store path hash of <c>&lt;hash&gt;&lt;suffix&gt;</c>, or null.</summary>
    internal static string? TryHashPart(string file, string suffix)
    {
        if (file.Length != StorePath.HashPartLength + suffix.Length || !file.EndsWith(suffix, StringComparison.Ordinal))
        {
            return null;
        }
        string hashPart = file[..StorePath.HashPartLength];
        return StorePath.IsValidHashPart(hashPart) ? hashPart : null;
    }
}
