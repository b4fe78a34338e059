using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Larder.Contracts.Push;
using Larder.Nix.Compression;
using Larder.Nix.Store;
using Larder.Nix.Streams;
using Larder.Server.Access;
using Larder.Server.BinaryCache;
using Larder.Server.Configuration;
using Larder.Server.Errors;
using Larder.Server.Ingest;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Larder.Server.Api.Push;

/// <summary>Request handlers behind <see cref="PushApi"/>.</summary>
internal static class PushHandlers
{
    private const long JsonBodyLimit = 8L << 20;

    public static async Task<IResult> MissingAsync(string cache, HttpContext http, CacheAccess access, IMetadataStore metadata)
    {
        var ct = http.RequestAborted;
        var record = await access.AuthorizeAsync(http, cache, Permission.Read, ct).ConfigureAwait(false);
        var request = await ReadJsonAsync(http, PushJsonContext.Default.MissingPathsRequest, "the missing-paths request").ConfigureAwait(false);
        var hashes = request.Hashes ?? throw Bad("the request has no 'hashes' list");
        if (hashes.Count > PushProtocol.MaxMissingBatch)
        {
            throw Bad($"{hashes.Count} hashes in one request; send at most {PushProtocol.MaxMissingBatch} per request");
        }
        foreach (var hash in hashes)
        {
            if (!StorePath.IsValidHashPart(hash))
            {
                throw Bad($"'{hash}' is not a store path hash part (32 nix32 characters)");
            }
        }
        var missing = await metadata.FindMissingAsync(record.Id, hashes, ct).ConfigureAwait(false);
        return Results.Json(new MissingPathsResponse(missing), PushJsonContext.Default.MissingPathsResponse);
    }

    public static async Task<IResult> UploadAsync(
        string cache, HttpContext http, CacheAccess access, IOptions<LarderOptions> options)
    {
        var ct = http.RequestAborted;
        var record = await access.AuthorizeAsync(http, cache, Permission.Write, ct).ConfigureAwait(false);
        var metadata = PushMetadataReader.FromHeader(http.Request.Headers[PushProtocol.PathInfoHeader]);
        var info = PushMetadataReader.ToNarInfo(metadata, record);
        var upstream = PushMetadataReader.UpstreamReferences(metadata, info, record);
        var compression = BodyCompression(RequestBodies.ContentEncoding(http.Request));
        long limit = options.Value.MaxUploadBytes;
        RequestBodies.PrepareLimit(http, limit, "the NAR upload");
        var tokenId = (await access.AuthenticateAsync(http, ct).ConfigureAwait(false))?.Id;
        return await IngestAndPublishAsync(http.Request.Body, compression, limit, record, info, upstream, tokenId, http.RequestServices, ct)
            .ConfigureAwait(false);
    }

    public static async Task<IResult> CreateUploadAsync(
        string cache, HttpContext http, CacheAccess access, IOptions<LarderOptions> options, TimeProvider time)
    {
        var record = await access.AuthorizeAsync(http, cache, Permission.Write, http.RequestAborted).ConfigureAwait(false);
        var request = await ReadJsonAsync(http, PushJsonContext.Default.CreateUploadRequest, "the upload request").ConfigureAwait(false);
        var path = request.Path ?? throw Bad("the upload request has no 'path' metadata");
        _ = PushMetadataReader.UpstreamReferences(path, PushMetadataReader.ToNarInfo(path, record), record);
        _ = BodyCompression(ParseCompressionName(request.Compression));
        var session = Sessions(options).Create(record.Name, request, time.GetUtcNow());
        return Results.Json(session, PushJsonContext.Default.UploadSessionInfo, statusCode: StatusCodes.Status201Created);
    }

    public static async Task<IResult> GetUploadAsync(string cache, string id, HttpContext http, CacheAccess access, IOptions<LarderOptions> options)
    {
        var record = await access.AuthorizeAsync(http, cache, Permission.Write, http.RequestAborted).ConfigureAwait(false);
        var (_, info) = Sessions(options).Get(record.Name, id);
        return Results.Json(info, PushJsonContext.Default.UploadSessionInfo);
    }

    public static async Task<IResult> AppendUploadAsync(string cache, string id, HttpContext http, CacheAccess access, IOptions<LarderOptions> options)
    {
        var ct = http.RequestAborted;
        var record = await access.AuthorizeAsync(http, cache, Permission.Write, ct).ConfigureAwait(false);
        var sessions = Sessions(options);
        var (session, _) = sessions.Get(record.Name, id);
        string? offsetHeader = http.Request.Headers[PushProtocol.UploadOffsetHeader];
        if (!long.TryParse(offsetHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            throw Bad($"the {PushProtocol.UploadOffsetHeader} header (the byte offset this part starts at) is missing or not a number");
        }
        if (RequestBodies.ContentEncoding(http.Request) != CompressionKind.None)
        {
            throw new LarderException(ErrorKind.UnsupportedMediaType,
                "a part must not have a Content-Encoding: the upload's compression was declared when it was created");
        }
        long limit = options.Value.MaxUploadBytes;
        RequestBodies.PrepareLimit(http, limit, "the upload part");
        var received = await sessions.AppendAsync(id, offset, http.Request.Body, limit, ct).ConfigureAwait(false);
        var info = new UploadSessionInfo(id, session.Request.Path.StorePath, session.Request.Compression, received, session.CreatedAt);
        return Results.Json(info, PushJsonContext.Default.UploadSessionInfo);
    }

    public static async Task<IResult> DeleteUploadAsync(string cache, string id, HttpContext http, CacheAccess access, IOptions<LarderOptions> options)
    {
        var record = await access.AuthorizeAsync(http, cache, Permission.Write, http.RequestAborted).ConfigureAwait(false);
        var sessions = Sessions(options);
        _ = sessions.Get(record.Name, id);
        sessions.Delete(id);
        return Results.NoContent();
    }

    public static async Task<IResult> CompleteUploadAsync(
        string cache, string id, HttpContext http, CacheAccess access, IOptions<LarderOptions> options)
    {
        var ct = http.RequestAborted;
        var record = await access.AuthorizeAsync(http, cache, Permission.Write, ct).ConfigureAwait(false);
        var sessions = Sessions(options);
        var (session, _) = sessions.Get(record.Name, id);
        var info = PushMetadataReader.ToNarInfo(session.Request.Path, record);
        var upstream = PushMetadataReader.UpstreamReferences(session.Request.Path, info, record);
        var compression = ParseCompressionName(session.Request.Compression);
        var tokenId = (await access.AuthenticateAsync(http, ct).ConfigureAwait(false))?.Id;
        IResult result;
        var data = sessions.OpenData(id);
        await using (data.ConfigureAwait(false))
        {
            result = await IngestAndPublishAsync(data, compression, options.Value.MaxUploadBytes, record, info, upstream, tokenId, http.RequestServices, ct)
                .ConfigureAwait(false);
        }
        sessions.Delete(id);
        return result;
    }

    private static async Task<IResult> IngestAndPublishAsync(
        Stream body, CompressionKind compression, long limit, CacheRecord cache, Nix.NarInfo.NarInfo info,
        IReadOnlyList<string> upstreamReferences, long? tokenId, IServiceProvider services, CancellationToken ct)
    {
        var ingestor = services.GetRequiredService<NarIngestor>();
        var publisher = services.GetRequiredService<PathPublisher>();
        var nar = await ingestor.IngestAsync(body, compression, limit, ct).ConfigureAwait(false);
        var published = await publisher.PublishAsync(cache, info with { FileHash = null, FileSize = null }, nar, upstreamReferences, tokenId, ct).ConfigureAwait(false);
        var committed = published == PublishResult.Committed;
        var answer = new PushResult(
            info.StorePath.FullPath, committed ? PushResult.Committed : PushResult.AlreadyPresent, nar.NarHash, nar.NarSize);
        return Results.Json(answer, PushJsonContext.Default.PushResult,
            statusCode: committed ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static UploadSessionStore Sessions(IOptions<LarderOptions> options) => new(options.Value.DataDir);

    private static CompressionKind BodyCompression(CompressionKind kind) => kind is CompressionKind.None or CompressionKind.Zstd
        ? kind
        : throw new LarderException(ErrorKind.UnsupportedMediaType,
            $"a pushed NAR must be uncompressed or zstd, not {CompressionNames.ToNixName(kind)}");

    private static CompressionKind ParseCompressionName(string? name) =>
        CompressionNames.TryParse(name ?? "none", out var kind)
            ? kind
            : throw Bad($"unknown compression '{name}' (expected none or zstd)");

    private static async Task<T> ReadJsonAsync<T>(HttpContext http, JsonTypeInfo<T> type, string what)
    {
        RequestBodies.PrepareLimit(http, JsonBodyLimit, what);
        var bounded = new BoundedReadStream(http.Request.Body, JsonBodyLimit, what, leaveOpen: true);
        try
        {
            return await JsonSerializer.DeserializeAsync(bounded, type, http.RequestAborted).ConfigureAwait(false)
                ?? throw Bad($"{what} is JSON null");
        }
        catch (JsonException e)
        {
            throw Bad($"{what} is not valid JSON: {e.Message}");
        }
    }

    private static LarderException Bad(string message) => new(ErrorKind.BadRequest, message);
}
