using System.Text;
using Larder.Nix.Store;
using Larder.Server.Access;
using Larder.Server.BinaryCache.Serving;
using Larder.Server.Errors;
using Larder.Server.Listings;
using Larder.Server.Metadata;
using Larder.Server.Storage;
using Larder.Server.Traffic;
using Larder.Server.Upstreams;
using Microsoft.AspNetCore.Http;

namespace Larder.Server.BinaryCache;

/// <summary>
/// The read side of Nix's binary cache protocol (GET and HEAD): <c>nix-cache-info</c>, <c>&lt;hash&gt;.narinfo</c>,
/// <c>&lt;hash&gt;.ls</c>, <c>nar/&lt;FileHash&gt;.nar.zst</c>, <c>log/&lt;drv&gt;</c>. Absent things are 404s that
/// no one caches; the endpoints' access filter has checked Read on the cache (see <see cref="AccessEndpoints"/>).
/// A cache with upstreams asks them about what it lacks (<see cref="ReadThrough"/>).
/// </summary>
internal sealed class BinaryCacheReader(
    IMetadataStore metadata, IBlobStore blobs, AccessRecorder recorder, NarDownload download, NarInfoMemory memory, NarInfoLookup lookup,
    ReadThrough readThrough, TrafficRecorder traffic, NarListings listings)
{
    private static readonly object GenerationKey = new();

    public const string NarInfoContentType = "text/x-nix-narinfo";
    private const int BufferSize = 1 << 16;

    /// <summary>
    /// Notes <see cref="NarInfoMemory.Generation"/> before the access filter reads the cache, so that what this request
    /// reads is remembered only if nothing changed meanwhile.
    /// </summary>
    public static void NoteGeneration(HttpContext http, NarInfoMemory memory) => http.Items[GenerationKey] = memory.Generation;

    /// <summary><c>GET /&lt;cache&gt;/&lt;file&gt;</c>: cache info, narinfo or listing.</summary>
    public async Task<IResult> GetFileAsync(HttpContext http, string file)
    {
        var ct = http.RequestAborted;
        CacheHeaders.None(http.Response);
        var cache = http.Access().Cache;
        if (TryHashPart(file, ".narinfo") is { } narInfoHash)
        {
            return await GetNarInfoAsync(http, cache, narInfoHash, ct).ConfigureAwait(false);
        }
        if (file == "nix-cache-info")
        {
            CacheHeaders.Short(http.Response, cache);
            await WriteAsync(http, "text/x-nix-cache-info", CacheInfo(cache)).ConfigureAwait(false);
            return Results.Empty;
        }
        return TryHashPart(file, ".ls") is { } listingHash
            ? await GetListingAsync(http, cache, listingHash, ct).ConfigureAwait(false)
            : Absent(http);
    }

    /// <summary><c>GET /&lt;cache&gt;/nar/&lt;file&gt;</c>.</summary>
    public async Task<IResult> GetNarAsync(HttpContext http, string file)
    {
        var ct = http.RequestAborted;
        CacheHeaders.None(http.Response);
        var cache = http.Access().Cache;
        if (UpstreamNarUrl.TryParseHashPart(file) is { } upstreamHashPart)
        {
            if (cache.Upstreams is { Enabled: true } && await readThrough.TrySendNarAsync(http, cache, upstreamHashPart, ct).ConfigureAwait(false))
            {
                traffic.NarSent(http, cache.Id, http.Response.ContentLength ?? 0);
                return Results.Empty;
            }
            return Absent(http);
        }
        if (NarFileName.TryParse(file, out _) is not { } name)
        {
            return Absent(http);
        }
        if (name.Compression == Larder.Nix.Compression.CompressionKind.Zstd &&
            await metadata.GetNarByFileHashAsync(cache.Id, "sha256:" + name.Hash, ct).ConfigureAwait(false) is { } nar)
        {
            traffic.NarStarting(http, cache.Id, nar.FileSize);
            await download.SendAsync(http, cache.IsPublic, nar, ct).ConfigureAwait(false);
            return Results.Empty;
        }
        // Nix asks (HEAD) whether an upload target exists before PUTting it: a staged upload at that URL counts,
        // so a retried push does not send the same NAR twice. It is never served (GET) before its narinfo commits.
        if (HttpMethods.IsHead(http.Request.Method) &&
            await metadata.GetStagedNarAsync(cache.Id, name.Url, ct).ConfigureAwait(false) is { } staged)
        {
            http.Response.ContentType = "application/x-nix-nar";
            http.Response.ContentLength = staged.UploadFileSize;
            return Results.Empty;
        }
        return Absent(http);
    }

    /// <summary><c>GET /&lt;cache&gt;/log/&lt;drv base name&gt;</c>.</summary>
    public async Task<IResult> GetLogAsync(HttpContext http, string drvName)
    {
        var ct = http.RequestAborted;
        CacheHeaders.None(http.Response);
        var cache = http.Access().Cache;
        if (!StorePath.IsValidBaseName(drvName) ||
            await metadata.GetBuildLogKeyAsync(cache.Id, drvName, ct).ConfigureAwait(false) is not { } key)
        {
            return Absent(http);
        }
        CacheHeaders.Short(http.Response, cache);
        await SendBlobAsync(http, key, "the build log", "text/plain; charset=utf-8", ct).ConfigureAwait(false);
        return Results.Empty;
    }

    private async Task<IResult> GetNarInfoAsync(HttpContext http, CacheRecord cache, string hashPart, CancellationToken ct)
    {
        long generation = http.Items[GenerationKey] is long noted ? noted : memory.Generation;
        var body = await lookup.FindAsync(cache.Id, cache.Upstreams is { Enabled: true }, hashPart, generation, ct).ConfigureAwait(false);
        if (body is null && cache.Upstreams is { Enabled: true } &&
            await readThrough.FindNarInfoAsync(cache, hashPart, ct).ConfigureAwait(false) is { } upstreamBody)
        {
            CacheHeaders.None(http.Response);
            traffic.NarInfo(cache.Id, hit: true);
            await WriteAsync(http, NarInfoContentType, upstreamBody).ConfigureAwait(false);
            return Results.Empty;
        }
        traffic.NarInfo(cache.Id, hit: body is not null);
        if (body is null)
        {
            return Absent(http);
        }
        recorder.Record(cache.Id, hashPart);
        CacheHeaders.NarInfo(http.Response, cache);
        await WriteAsync(http, NarInfoContentType, body).ConfigureAwait(false);
        return Results.Empty;
    }

    private async Task<IResult> GetListingAsync(HttpContext http, CacheRecord cache, string hashPart, CancellationToken ct)
    {
        var entry = await metadata.GetPathAsync(cache.Id, hashPart, ct).ConfigureAwait(false);
        if (entry is null || await listings.OpenAsync(entry.Nar, ct).ConfigureAwait(false) is not { } listing)
        {
            return Absent(http);
        }
        CacheHeaders.Immutable(http.Response, cache);
        await SendAsync(http, "application/json", listing.Length, listing.OpenAsync, ct).ConfigureAwait(false);
        return Results.Empty;
    }

    private async Task SendBlobAsync(HttpContext http, string key, string what, string contentType, CancellationToken ct)
    {
        long size = await blobs.GetSizeAsync(key, ct).ConfigureAwait(false)
            ?? throw new StoredDataMissingException(what, new BlobNotFoundException(key));
        await SendAsync(http, contentType, size, token => blobs.OpenStoredAsync(key, 0, what, token), ct).ConfigureAwait(false);
    }

    private static async Task SendAsync(HttpContext http, string contentType, long size, Func<CancellationToken, Task<Stream>> open, CancellationToken ct)
    {
        http.Response.ContentType = contentType;
        http.Response.ContentLength = size;
        if (HttpMethods.IsHead(http.Request.Method))
        {
            return;
        }
        var input = await open(ct).ConfigureAwait(false);
        await using (input.ConfigureAwait(false))
        {
            await input.CopyToAsync(http.Response.Body, BufferSize, ct).ConfigureAwait(false);
        }
    }

    internal static Task WriteAsync(HttpContext http, string contentType, byte[] body)
    {
        var response = http.Response;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(http.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body, 0, body.Length, http.RequestAborted);
    }

    /// <summary>The protocol's "not here" answer: a bodiless 404 that no cache may keep (not an error: Nix asks for many).</summary>
    private static IResult Absent(HttpContext http)
    {
        CacheHeaders.None(http.Response);
        return TypedResults.NotFound();
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
