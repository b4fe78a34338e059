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
using Microsoft.Extensions.Options;

namespace Larder.Server.Api.Push;

/// <summary>
/// Request handlers behind <see cref="PushApi"/>. The endpoints' access filter has checked the permission on the cache
/// (see <see cref="AccessEndpoints"/>); uploads are ingested by <see cref="NarIngestor"/> and published by
/// <see cref="PathPublisher"/> like <c>nix copy</c>'s.
/// </summary>
internal sealed class PushHandlers(
    NarIngestor ingestor, PathPublisher publisher, UploadSessionStore sessions, IMetadataStore metadata,
    IOptions<LarderOptions> options, TimeProvider time)
{
    private const long JsonBodyLimit = 8L << 20;

    public async Task<IResult> MissingAsync(HttpContext http)
    {
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
        var missing = await metadata.FindMissingAsync(http.Access().Cache.Id, hashes, http.RequestAborted).ConfigureAwait(false);
        return Results.Json(new MissingPathsResponse(missing), PushJsonContext.Default.MissingPathsResponse);
    }

    public Task<IResult> UploadAsync(HttpContext http)
    {
        var access = http.Access();
        var metadata = PushMetadataReader.FromHeader(http.Request.Headers[PushProtocol.PathInfoHeader]);
        var request = PushMetadataReader.ToPublishRequest(metadata, access.Cache);
        var compression = BodyCompression(RequestBodies.ContentEncoding(http.Request));
        long limit = options.Value.MaxUploadBytes;
        RequestBodies.PrepareLimit(http, limit, "the NAR upload");
        return IngestAndPublishAsync(http.Request.Body, compression, access, request, http.RequestAborted);
    }

    public async Task<IResult> CreateUploadAsync(HttpContext http)
    {
        var cache = http.Access().Cache;
        var request = await ReadJsonAsync(http, PushJsonContext.Default.CreateUploadRequest, "the upload request").ConfigureAwait(false);
        var path = request.Path ?? throw Bad("the upload request has no 'path' metadata");
        _ = PushMetadataReader.ToPublishRequest(path, cache);
        _ = BodyCompression(ParseCompressionName(request.Compression));
        var session = await sessions.CreateAsync(cache, request, http.RequestAborted).ConfigureAwait(false);
        return Results.Json(session, PushJsonContext.Default.UploadSessionInfo, statusCode: StatusCodes.Status201Created);
    }

    public async Task<IResult> GetUploadAsync(HttpContext http, string id)
    {
        var session = await sessions.GetAsync(http.Access().Cache, id, http.RequestAborted).ConfigureAwait(false);
        return Results.Json(session.Info, PushJsonContext.Default.UploadSessionInfo);
    }

    public async Task<IResult> AppendUploadAsync(HttpContext http, string id)
    {
        var session = await sessions.GetAsync(http.Access().Cache, id, http.RequestAborted).ConfigureAwait(false);
        string? offsetHeader = http.Request.Headers[PushProtocol.UploadOffsetHeader];
        if (!long.TryParse(offsetHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            throw Bad($"the {PushProtocol.UploadOffsetHeader} header (the byte offset this part starts at) is missing or not a number");
        }
        if (RequestBodies.ContentEncoding(http.Request) != CompressionKind.None)
        {
            throw new UnsupportedMediaTypeException(
                "a part must not have a Content-Encoding: the upload's compression was declared when it was created");
        }
        long limit = options.Value.MaxUploadBytes;
        RequestBodies.PrepareLimit(http, limit, "the upload part");
        var received = await sessions.AppendAsync(session, offset, http.Request.Body, limit, http.RequestAborted).ConfigureAwait(false);
        return Results.Json(session.Info with { ReceivedBytes = received }, PushJsonContext.Default.UploadSessionInfo);
    }

    public async Task<IResult> DeleteUploadAsync(HttpContext http, string id)
    {
        var session = await sessions.GetAsync(http.Access().Cache, id, http.RequestAborted).ConfigureAwait(false);
        await sessions.DeleteAsync(session.Record.Id, http.RequestAborted).ConfigureAwait(false);
        return Results.NoContent();
    }

    public async Task<IResult> CompleteUploadAsync(HttpContext http, string id)
    {
        var access = http.Access();
        var session = await sessions.GetAsync(access.Cache, id, http.RequestAborted).ConfigureAwait(false);
        var request = PushMetadataReader.ToPublishRequest(session.Request.Path, access.Cache);
        var compression = ParseCompressionName(session.Request.Compression);
        IResult result;
        var data = sessions.OpenData(session);
        await using (data.ConfigureAwait(false))
        {
            result = await IngestAndPublishAsync(data, compression, access, request, http.RequestAborted).ConfigureAwait(false);
        }
        await sessions.DeleteAsync(session.Record.Id, CancellationToken.None).ConfigureAwait(false);
        return result;
    }

    private async Task<IResult> IngestAndPublishAsync(
        Stream body, CompressionKind compression, RequestAccess access, PublishRequest request, CancellationToken ct)
    {
        var nar = await ingestor.IngestAsync(body, compression, options.Value.MaxUploadBytes, ct).ConfigureAwait(false);
        var stored = new NarRecord(0, nar.NarHash, nar.NarSize, "zstd", nar.FileHash, nar.FileSize, nar.Chunks, nar.ListingKey, time.GetUtcNow());
        var published = await publisher.PublishAsync(access.Cache, request, new PublishedNar(stored), access.Token?.Id, ct).ConfigureAwait(false);
        var committed = published == PublishResult.Committed;
        var answer = new PushResult(
            request.StorePath.FullPath, committed ? PushResult.Committed : PushResult.AlreadyPresent, nar.NarHash, nar.NarSize);
        return Results.Json(answer, PushJsonContext.Default.PushResult,
            statusCode: committed ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static CompressionKind BodyCompression(CompressionKind kind) => kind is CompressionKind.None or CompressionKind.Zstd
        ? kind
        : throw new UnsupportedMediaTypeException($"a pushed NAR must be uncompressed or zstd, not {CompressionNames.ToNixName(kind)}");

    private static CompressionKind ParseCompressionName(string? name) =>
        CompressionNames.TryParse(name ?? "none", out var kind)
            ? kind
            : throw Bad($"unknown compression '{name}' (expected none or zstd)");

    /// <summary>A JSON body of at most 8 MiB as <typeparamref name="T"/>; 400 naming <paramref name="what"/> when it is not.</summary>
    internal static async Task<T> ReadJsonAsync<T>(HttpContext http, JsonTypeInfo<T> type, string what)
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

    private static InvalidRequestException Bad(string message) => new(message);
}
