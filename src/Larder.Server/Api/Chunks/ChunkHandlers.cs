using System.Buffers;
using Larder.Contracts.Chunks;
using Larder.Contracts.Push;
using Larder.Nix.Compression;
using Larder.Nix.Hashing;
using Larder.Nix.Streams;
using Larder.Server.Access;
using Larder.Server.Api.Push;
using Larder.Server.BinaryCache;
using Larder.Server.Errors;
using Larder.Server.Ingest;
using Larder.Server.Storage.Chunks;
using Microsoft.AspNetCore.Http;

namespace Larder.Server.Api.Chunks;

/// <summary>
/// Request handlers behind <see cref="ChunkApi"/>. The endpoints' access filter has checked the permission on the cache
/// (see <see cref="AccessEndpoints"/>). Chunks are stored by <see cref="ChunkStore"/>, chunked paths assembled by
/// <see cref="ChunkedNarAssembler"/> and published by <see cref="PathPublisher"/> like every other push.
/// </summary>
internal sealed class ChunkHandlers(ChunkStore store, ChunkedNarAssembler assembler, PathPublisher publisher)
{
    /// <summary>Most chunk hashes per request: a 16 GiB NAR at the default average size, and under 5 MiB of JSON.</summary>
    public const int MaxChunksPerRequest = 65_536;

    public IResult Parameters()
    {
        var chunking = store.Chunking;
        var parameters = new ChunkingParameters(
            chunking.MinSize, chunking.AverageSize, chunking.MaxSize, chunking.SingleChunkThreshold, MaxChunksPerRequest, store.PackSize,
            StreamedCommit: true);
        return Results.Json(parameters, ChunkJsonContext.Default.ChunkingParameters);
    }

    public async Task<IResult> MissingAsync(HttpContext http)
    {
        const string what = "the missing-chunks request";
        var request = await PushHandlers.ReadJsonAsync(http, ChunkJsonContext.Default.MissingChunksRequest, what).ConfigureAwait(false);
        var hashes = ChunkHashes.CheckList(request.Chunks, MaxChunksPerRequest, what).Distinct(StringComparer.Ordinal).ToList();
        var found = await store.FindAsync(hashes, http.RequestAborted).ConfigureAwait(false);
        var missing = hashes.Where(hash => !found.ContainsKey(hash)).ToList();
        return Results.Json(new MissingChunksResponse(missing), ChunkJsonContext.Default.MissingChunksResponse);
    }

    public async Task<IResult> UploadAsync(HttpContext http, string nix32)
    {
        var ct = http.RequestAborted;
        var hash = ChunkHashes.ParseNix32(nix32);
        var text = hash.ToNix32String();
        var encoding = RequestBodies.ContentEncoding(http.Request);
        if (encoding is not (CompressionKind.None or CompressionKind.Zstd))
        {
            throw new UnsupportedMediaTypeException($"a chunk must be uncompressed or zstd, not {CompressionNames.ToNixName(encoding)}");
        }
        int maxSize = store.Chunking.MaxSize;
        // zstd's worst case for incompressible data, so any honest compressed chunk fits.
        long sentLimit = encoding == CompressionKind.None ? maxSize : maxSize + (maxSize >> 7) + 1024;
        RequestBodies.PrepareLimit(http, sentLimit, "the chunk upload");
        var buffer = ChunkBuffers.Pool.Rent(maxSize);
        try
        {
            int length = await ReadChunkAsync(http.Request.Body, encoding, buffer.AsMemory(0, maxSize), sentLimit, ct).ConfigureAwait(false);
            var actual = NixHash.Compute(HashKind.Sha256, buffer.AsSpan(0, length));
            if (actual != hash)
            {
                throw new InvalidRequestException($"the chunk's bytes have hash {actual}, not {text} as its URL says; nothing was stored");
            }
            var found = await store.FindAsync([text], ct).ConfigureAwait(false);
            if (found.TryGetValue(text, out var held))
            {
                return Results.Json(new ChunkUploadResult(text, held.Size, Stored: false), ChunkJsonContext.Default.ChunkUploadResult);
            }
            using var compressed = CompressedChunk.Compress(buffer.AsSpan(0, length), hash);
            await store.StoreAsync(compressed, ct).ConfigureAwait(false);
            return Results.Json(
                new ChunkUploadResult(text, length, Stored: true), ChunkJsonContext.Default.ChunkUploadResult, statusCode: StatusCodes.Status201Created);
        }
        finally
        {
            ChunkBuffers.Pool.Return(buffer);
        }
    }

    public async Task<IResult> UploadPackAsync(HttpContext http)
    {
        const string what = "the chunk pack";
        var ct = http.RequestAborted;
        if (RequestBodies.ContentEncoding(http.Request) is not CompressionKind.None)
        {
            throw new UnsupportedMediaTypeException("a chunk pack is sent as is: its chunks are zstd frames already");
        }
        RequestBodies.PrepareLimit(http, store.PackSize, what);
        using var reader = new PackUploadReader(store);
        var body = new BoundedReadStream(http.Request.Body, store.PackSize, what, leaveOpen: true);
        await using (body.ConfigureAwait(false))
        {
            await reader.ReadAsync(body, MaxChunksPerRequest, ct).ConfigureAwait(false);
        }
        if (reader.Count == 0)
        {
            throw new InvalidRequestException($"{what} holds no chunks");
        }
        var stored = await reader.StoreAsync(ct).ConfigureAwait(false);
        return Results.Json(
            new PackUploadResult(reader.Count, stored), ChunkJsonContext.Default.PackUploadResult,
            statusCode: stored > 0 ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    public async Task<IResult> CommitPathAsync(HttpContext http)
    {
        const string what = "the chunked-path request";
        var access = http.Access();
        var request = await PushHandlers.ReadJsonAsync(http, ChunkJsonContext.Default.ChunkedPathRequest, what).ConfigureAwait(false);
        var path = request.Path ?? throw new InvalidRequestException($"{what} has no 'path' metadata");
        var publish = PushMetadataReader.ToPublishRequest(path, access.Cache);
        var hashes = ChunkHashes.CheckList(request.Chunks, MaxChunksPerRequest, what);
        if (hashes.Count == 0)
        {
            throw new InvalidRequestException($"{what} names no chunks: a NAR is never empty");
        }
        var nar = await assembler.AssembleAsync(hashes, publish.NarHash, publish.NarSize, http.RequestAborted).ConfigureAwait(false);
        return await PublishAsync(publisher, access, publish, nar, http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Publishes a chunked path whose NAR was re-derived and checked; 201 when committed, 200 when already there.</summary>
    public static async Task<IResult> PublishAsync(
        PathPublisher publisher, RequestAccess access, PublishRequest publish, PublishedNar nar, CancellationToken ct)
    {
        var published = await publisher.PublishAsync(access.Cache, publish, nar, access.Token?.Id, ct).ConfigureAwait(false);
        var committed = published == PublishResult.Committed;
        var answer = new PushResult(
            publish.StorePath.FullPath, committed ? PushResult.Committed : PushResult.AlreadyPresent, nar.Nar.NarHash, nar.Nar.NarSize);
        return Results.Json(answer, ChunkJsonContext.Default.PushResult, statusCode: committed ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    /// <summary>Reads the whole chunk into <paramref name="buffer"/> (its length is the largest chunk); 413 beyond, 400 for bad zstd.</summary>
    public static async Task<int> ReadChunkAsync(Stream body, CompressionKind encoding, Memory<byte> buffer, long sentLimit, CancellationToken ct)
    {
        var sent = new BoundedReadStream(body, sentLimit, "the chunk upload", leaveOpen: true);
        var data = new BoundedReadStream(Codecs.Decompress(sent, encoding, leaveOpen: false), buffer.Length, "the uncompressed chunk");
        await using (data.ConfigureAwait(false))
        {
            try
            {
                int length = 0;
                int read;
                while (length < buffer.Length && (read = await data.ReadAsync(buffer[length..], ct).ConfigureAwait(false)) > 0)
                {
                    length += read;
                }
                // One byte more is past the largest chunk: the bounded stream refuses it (413).
                if (length == buffer.Length && await data.ReadAsync(new byte[1], ct).ConfigureAwait(false) > 0)
                {
                    throw new InvalidOperationException("the bounded stream yielded a byte past its limit");
                }
                return length > 0 ? length : throw new InvalidRequestException("the chunk is empty: chunks are never empty");
            }
            catch (CompressionException e)
            {
                throw new InvalidRequestException($"the chunk is not valid zstd data: {e.Reason}", e);
            }
        }
    }
}
