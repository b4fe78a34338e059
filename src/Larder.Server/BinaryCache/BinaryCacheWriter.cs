using Larder.Nix.Compression;
using Larder.Nix.Hashing;
using Larder.Nix.Store;
using Larder.Server.Access;
using Larder.Server.Configuration;
using Larder.Server.Errors;
using Larder.Server.Ingest;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using NarInfoRecord = Larder.Nix.NarInfo.NarInfo;
using NarInfoFormatException = Larder.Nix.NarInfo.NarInfoFormatException;

namespace Larder.Server.BinaryCache;

/// <summary>
/// The write side of Nix's binary cache protocol, as <c>nix copy --to http://HOST/&lt;cache&gt;</c> drives it:
/// <c>PUT nix-cache-info</c>, <c>PUT nar/&lt;FileHash&gt;.nar.&lt;ext&gt;</c> (ingested and staged, not visible),
/// <c>PUT &lt;hash&gt;.narinfo</c> (validated against the staged NAR, then committed), <c>PUT log/&lt;drv&gt;</c>.
/// Every write needs a token with Write on the cache.
/// </summary>
internal sealed class BinaryCacheWriter(
    CacheAccess access, IMetadataStore metadata, NarIngestor ingestor, PathPublisher publisher, BuildLogStore logs,
    NarInfoMicroCache recent, IOptions<LarderOptions> options, TimeProvider time)
{
    /// <summary><c>PUT /&lt;cache&gt;/&lt;file&gt;</c>: cache info, narinfo, or a listing (which Larder builds itself).</summary>
    public async Task PutFileAsync(HttpContext http, string cacheName, string file)
    {
        var ct = http.RequestAborted;
        CacheHeaders.None(http.Response);
        var cache = await access.AuthorizeAsync(http, cacheName, Permission.Write, ct).ConfigureAwait(false);
        if (file == "nix-cache-info")
        {
            await PutCacheInfoAsync(http, cache).ConfigureAwait(false);
        }
        else if (BinaryCacheReader.TryHashPart(file, ".narinfo") is { } hashPart)
        {
            await PutNarInfoAsync(http, cache, hashPart).ConfigureAwait(false);
        }
        else if (BinaryCacheReader.TryHashPart(file, ".ls") is not null)
        {
            // Nix uploads listings when write-nar-listing is set; Larder serves the one it built from the NAR itself.
            await RequestBodies.ReadTextAsync(http, "the listing").ConfigureAwait(false);
            http.Response.StatusCode = StatusCodes.Status204NoContent;
        }
        else
        {
            throw new LarderException(ErrorKind.NotFound, $"cannot upload '{file}': expected nix-cache-info, <hash>.narinfo, nar/… or log/…");
        }
    }

    /// <summary><c>PUT /&lt;cache&gt;/nar/&lt;FileHash&gt;.nar.&lt;ext&gt;</c>.</summary>
    public async Task PutNarAsync(HttpContext http, string cacheName, string file)
    {
        var ct = http.RequestAborted;
        CacheHeaders.None(http.Response);
        var cache = await access.AuthorizeAsync(http, cacheName, Permission.Write, ct).ConfigureAwait(false);
        var name = NarFileName.Parse(file);
        if (RequestBodies.ContentEncoding(http.Request) != CompressionKind.None)
        {
            throw new LarderException(
                ErrorKind.UnsupportedMediaType, "a NAR upload must not have a Content-Encoding: its compression is the file extension");
        }
        long limit = options.Value.MaxUploadBytes;
        RequestBodies.PrepareLimit(http, limit, "the NAR upload");
        var expected = NixHash.Parse(name.Hash, HashKind.Sha256);
        var (body, compression) = (http.Request.Body, name.Compression);
        if (compression == CompressionKind.None)
        {
            // Nix names gzip uploads plain nar/<hash>.nar (only the narinfo says gzip): trust the bytes, not the name.
            var (detected, replay) = await CompressionDetector.PeekAsync(body, leaveOpen: true, ct).ConfigureAwait(false);
            (body, compression) = (replay, detected ?? CompressionKind.None);
        }
        var nar = await ingestor.IngestAsync(body, compression, limit, expected, ct).ConfigureAwait(false);
        await metadata.AddStagedNarAsync(nar.ToStaged(cache.Id, name.Url, time.GetUtcNow()), ct).ConfigureAwait(false);
        http.Response.StatusCode = StatusCodes.Status201Created;
    }

    /// <summary><c>PUT /&lt;cache&gt;/log/&lt;drv base name&gt;</c>.</summary>
    public async Task PutLogAsync(HttpContext http, string cacheName, string drvName)
    {
        var ct = http.RequestAborted;
        CacheHeaders.None(http.Response);
        var cache = await access.AuthorizeAsync(http, cacheName, Permission.Write, ct).ConfigureAwait(false);
        if (StorePath.ValidateBaseName(drvName) is { } problem)
        {
            throw new LarderException(ErrorKind.BadRequest, $"'{drvName}' is not a derivation's store path base name: {problem}");
        }
        if (!drvName.EndsWith(".drv", StringComparison.Ordinal))
        {
            throw new LarderException(ErrorKind.BadRequest, $"'{drvName}' is not a derivation (a build log is stored under log/<hash>-<name>.drv)");
        }
        long limit = options.Value.MaxUploadBytes;
        RequestBodies.PrepareLimit(http, limit, "the build log");
        await logs.PutAsync(cache, drvName, http.Request.Body, RequestBodies.ContentEncoding(http.Request), limit, ct).ConfigureAwait(false);
        http.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task PutCacheInfoAsync(HttpContext http, CacheRecord cache)
    {
        string text = await RequestBodies.ReadTextAsync(http, "nix-cache-info").ConfigureAwait(false);
        foreach (var line in text.Split('\n'))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().SequenceEqual("StoreDir"))
            {
                string storeDir = line[(colon + 1)..].Trim();
                if (storeDir != cache.StoreDir)
                {
                    throw new LarderException(
                        ErrorKind.BadRequest, $"cache '{cache.Name}' holds paths of store directory {cache.StoreDir}, not {storeDir}");
                }
            }
        }
        http.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task PutNarInfoAsync(HttpContext http, CacheRecord cache, string hashPart)
    {
        var ct = http.RequestAborted;
        string text = await RequestBodies.ReadTextAsync(http, "the narinfo").ConfigureAwait(false);
        NarInfoRecord info;
        try
        {
            info = NarInfoRecord.Parse(text);
        }
        catch (NarInfoFormatException e)
        {
            throw new LarderException(ErrorKind.BadRequest, e.Message, e);
        }
        catch (StorePathException e)
        {
            throw new LarderException(ErrorKind.BadRequest, $"invalid narinfo: {e.Message}", e);
        }
        if (info.StorePath.HashPart != hashPart)
        {
            throw new LarderException(
                ErrorKind.BadRequest, $"the narinfo is for {info.StorePath.FullPath}, but was uploaded as {hashPart}.narinfo");
        }
        long? tokenId = (await access.AuthenticateAsync(http, ct).ConfigureAwait(false))?.Id;
        var result = await PublishAsync(cache, info, tokenId, ct).ConfigureAwait(false);
        recent.Remove(cache.Name, hashPart);
        http.Response.StatusCode = result == PublishResult.Committed ? StatusCodes.Status201Created : StatusCodes.Status200OK;
    }

    private async Task<PublishResult> PublishAsync(CacheRecord cache, NarInfoRecord info, long? tokenId, CancellationToken ct)
    {
        if (await metadata.GetStagedNarAsync(cache.Id, info.Url, ct).ConfigureAwait(false) is { } staged)
        {
            return await publisher.PublishStagedAsync(cache, info, staged, tokenId, ct).ConfigureAwait(false);
        }
        // No upload at that URL: either it names a NAR this cache already serves (Nix's HEAD found it and skipped
        // the upload), or the client never sent the NAR.
        if (NarFileName.TryParse(info.Url.StartsWith("nar/", StringComparison.Ordinal) ? info.Url[4..] : "", out _) is { Compression: CompressionKind.Zstd } name &&
            await metadata.GetNarByFileHashAsync(cache.Id, "sha256:" + name.Hash, ct).ConfigureAwait(false) is { } stored)
        {
            return await publisher.PublishExistingAsync(cache, info, stored, describesStoredFile: true, tokenId, ct).ConfigureAwait(false);
        }
        if (await metadata.GetPathAsync(cache.Id, info.StorePath.HashPart, ct).ConfigureAwait(false) is { } present)
        {
            // The path is already here (its upload was consumed by an earlier commit): idempotent when the NAR matches.
            return await publisher.PublishExistingAsync(cache, info, present.Nar, describesStoredFile: false, tokenId, ct).ConfigureAwait(false);
        }
        throw new LarderException(
            ErrorKind.BadRequest, $"no NAR was uploaded to {info.Url} in cache '{cache.Name}' (or its upload expired): PUT the NAR before its narinfo");
    }
}
