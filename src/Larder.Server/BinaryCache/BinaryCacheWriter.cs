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
/// The endpoints' access filter has checked Write on the cache (see <see cref="AccessEndpoints"/>).
/// </summary>
internal sealed class BinaryCacheWriter(
    IMetadataStore metadata, NarIngestor ingestor, PathPublisher publisher, BuildLogStore logs,
    IOptions<LarderOptions> options, TimeProvider time)
{
    /// <summary><c>PUT /&lt;cache&gt;/&lt;file&gt;</c>: cache info, narinfo, or a listing (which Larder builds itself).</summary>
    public async Task PutFileAsync(HttpContext http, string file)
    {
        CacheHeaders.None(http.Response);
        var cache = http.Access().Cache;
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
            throw new NotFoundException($"cannot upload '{file}': expected nix-cache-info, <hash>.narinfo, nar/… or log/…");
        }
    }

    /// <summary><c>PUT /&lt;cache&gt;/nar/&lt;FileHash&gt;.nar.&lt;ext&gt;</c>.</summary>
    public async Task PutNarAsync(HttpContext http, string file)
    {
        var ct = http.RequestAborted;
        CacheHeaders.None(http.Response);
        var cache = http.Access().Cache;
        var name = NarFileName.Parse(file);
        if (RequestBodies.ContentEncoding(http.Request) != CompressionKind.None)
        {
            throw new UnsupportedMediaTypeException("a NAR upload must not have a Content-Encoding: its compression is the file extension");
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
    public async Task PutLogAsync(HttpContext http, string drvName)
    {
        var ct = http.RequestAborted;
        CacheHeaders.None(http.Response);
        var cache = http.Access().Cache;
        if (StorePath.ValidateBaseName(drvName) is { } problem)
        {
            throw new InvalidRequestException($"'{drvName}' is not a derivation's store path base name: {problem}");
        }
        if (!drvName.EndsWith(".drv", StringComparison.Ordinal))
        {
            throw new InvalidRequestException($"'{drvName}' is not a derivation (a build log is stored under log/<hash>-<name>.drv)");
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
                    throw new InvalidRequestException($"cache '{cache.Name}' holds paths of store directory {cache.StoreDir}, not {storeDir}");
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
            throw new InvalidRequestException(e.Message, e);
        }
        catch (StorePathException e)
        {
            throw new InvalidRequestException($"invalid narinfo: {e.Message}", e);
        }
        if (info.StorePath.HashPart != hashPart)
        {
            throw new InvalidRequestException($"the narinfo is for {info.StorePath.FullPath}, but was uploaded as {hashPart}.narinfo");
        }
        var request = PublishRequest.FromNarInfo(info, cache);
        var nar = await FindNarAsync(cache, info.Url, request, ct).ConfigureAwait(false);
        var result = await publisher.PublishAsync(cache, request, nar, http.Access().Token?.Id, ct).ConfigureAwait(false);
        http.Response.StatusCode = result == PublishResult.Committed ? StatusCodes.Status201Created : StatusCodes.Status200OK;
    }

    /// <summary>The NAR a narinfo PUT to <paramref name="url"/> is published with.</summary>
    private async Task<PublishedNar> FindNarAsync(CacheRecord cache, string url, PublishRequest request, CancellationToken ct)
    {
        if (await metadata.GetStagedNarAsync(cache.Id, url, ct).ConfigureAwait(false) is { } staged)
        {
            return PublishedNar.FromStaged(staged, time.GetUtcNow());
        }
        // No upload at that URL: either it names a NAR this cache already serves (Nix's HEAD found it and skipped
        // the upload), or the client never sent the NAR.
        if (NarFileName.TryParse(url.StartsWith("nar/", StringComparison.Ordinal) ? url[4..] : "", out _) is { Compression: CompressionKind.Zstd } name &&
            await metadata.GetNarByFileHashAsync(cache.Id, "sha256:" + name.Hash, ct).ConfigureAwait(false) is { } stored)
        {
            return PublishedNar.FromServedFile(stored);
        }
        if (await metadata.GetPathAsync(cache.Id, request.StorePath.HashPart, ct).ConfigureAwait(false) is { } present)
        {
            // The path is already here (its upload was consumed by an earlier commit): idempotent when the NAR matches;
            // the narinfo's FileHash/FileSize describe a file Larder never received.
            return new PublishedNar(present.Nar);
        }
        throw new InvalidRequestException(
            $"no NAR was uploaded to {url} in cache '{cache.Name}' (or its upload expired): PUT the NAR before its narinfo");
    }
}
