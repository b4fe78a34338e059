using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Larder.Contracts.Chunks;
using Larder.Contracts.Push;
using Larder.Nix.Streams;
using Larder.Server.Access;
using Larder.Server.Api.Chunks;
using Larder.Server.Api.Push;
using Larder.Server.BinaryCache;
using Larder.Server.Errors;
using Larder.Server.Ingest;
using Larder.Server.Ingest.StreamedCommit;
using Larder.Server.Metadata;
using Larder.Server.Storage;
using Larder.Server.Storage.Chunks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Larder.Server.Api.StreamedCommit;

/// <summary>
/// <c>POST chunked-paths/stream</c>: the commit of a chunked path sent while the client is still reading the NAR. The
/// body is JSON lines, each a <see cref="ChunkedPathRequest"/>: the chunk list in runs, in order, as the client learns
/// that the server holds them; the last line alone carries the path's metadata. The server re-derives the NAR from
/// the chunks it holds as their runs arrive (<see cref="AnnouncedChunksStream"/>), so at the end of the body only the
/// last run is left to hash; the path is published only then, after the same checks as <c>POST chunked-paths</c>. A
/// body that breaks off publishes nothing. The answer comes after the whole body, whatever the outcome.
/// </summary>
internal sealed class StreamedCommitHandler(ChunkStore store, ChunkedNarAssembler assembler, PathPublisher publisher, StagingArea staging)
{
    private const string What = "the streamed chunked-path request";

    /// <summary>Largest body: the most chunks of one commit, as JSON lines, with room for the path's metadata.</summary>
    public const long BodyLimit = 16L << 20;

    public async Task<IResult> CommitAsync(HttpContext http)
    {
        var access = http.Access();
        var ct = http.RequestAborted;
        // The body stays open while the client reads its NAR and commits the paths it refers to first.
        if (http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = null;
        }
        RequestBodies.PrepareLimit(http, BodyLimit, What);
        var runs = Channel.CreateUnbounded<IReadOnlyList<ChunkRecord>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var listingFile = staging.NewFilePath(".ls");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            var deriving = ChunkedNarAssembler.DeriveAsync(new AnnouncedChunksStream(store, runs.Reader), listingFile, stop.Token);
            (IReadOnlyList<ChunkRecord> Chunks, PushPathMetadata Path) announced;
            try
            {
                announced = await ReadAnnouncementsAsync(http.Request.Body, runs.Writer, ct).ConfigureAwait(false);
            }
            catch
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await ((Task)deriving).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                throw;
            }
            var derived = await deriving.ConfigureAwait(false);
            var publish = PushMetadataReader.ToPublishRequest(announced.Path, access.Cache);
            await CheckStillStoredAsync(announced.Chunks, ct).ConfigureAwait(false);
            var nar = await assembler.AcceptAsync(announced.Chunks, derived, publish.NarHash, publish.NarSize, listingFile, ct).ConfigureAwait(false);
            return await ChunkHandlers.PublishAsync(publisher, access, publish, nar, ct).ConfigureAwait(false);
        }
        finally
        {
            StagingArea.TryDelete(listingFile);
        }
    }

    // A body may stay open long (the client commits the path's dependencies first), and a chunk looked up when its run
    // arrived is kept unused only for StagedUploadTtl: the chunks are looked up again at the end, which keeps them that
    // long from now, and must still be stored as they were read. 400 for a chunk gone (the client sends it again),
    // 409 for one stored anew meanwhile (the client commits the whole list instead).
    private async Task CheckStillStoredAsync(IReadOnlyList<ChunkRecord> derivedFrom, CancellationToken ct)
    {
        var now = await assembler.FindStoredAsync([.. derivedFrom.Select(chunk => chunk.Hash)], ct).ConfigureAwait(false);
        if (!now.SequenceEqual(derivedFrom))
        {
            throw new ConflictException($"{What}: some chunks were stored anew while the body was open; commit the chunk list again");
        }
    }

    // Reads the body to its end: looks up each run of chunks and hands it to the derivation; returns every chunk and
    // the path's metadata. Completes runs in any case (with the failure, if any).
    private async Task<(IReadOnlyList<ChunkRecord>, PushPathMetadata)> ReadAnnouncementsAsync(
        Stream body, ChannelWriter<IReadOnlyList<ChunkRecord>> runs, CancellationToken ct)
    {
        try
        {
            var bounded = new BoundedReadStream(body, BodyLimit, What, leaveOpen: true);
            using var lines = new StreamReader(bounded, new UTF8Encoding(false, throwOnInvalidBytes: true), false, 4096, leaveOpen: false);
            var chunks = new List<ChunkRecord>();
            long total = 0;
            PushPathMetadata? path = null;
            var number = 0;
            while (await lines.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
            {
                number++;
                if (path is not null)
                {
                    throw new InvalidRequestException($"{What} goes on after line {number - 1}, which names the path: that line must be the last");
                }
                var request = Parse(line, number);
                var hashes = ChunkHashes.CheckList(request.Chunks, ChunkHandlers.MaxChunksPerRequest - chunks.Count, $"line {number} of {What}");
                if (hashes.Count > 0)
                {
                    var run = await assembler.FindStoredAsync(hashes, ct).ConfigureAwait(false);
                    total += run.Sum(chunk => chunk.Size);
                    assembler.CheckTotal(total);
                    chunks.AddRange(run);
                    runs.TryWrite(run);
                }
                path = request.Path;
            }
            if (path is null)
            {
                throw new InvalidRequestException($"{What} ended without a line naming the path (its last line); nothing was published");
            }
            if (chunks.Count == 0)
            {
                throw new InvalidRequestException($"{What} names no chunks: a NAR is never empty");
            }
            runs.TryComplete();
            return (chunks, path);
        }
        catch (Exception e)
        {
            runs.TryComplete(e);
            throw;
        }
    }

    private static ChunkedPathRequest Parse(string line, int number)
    {
        try
        {
            return JsonSerializer.Deserialize(line, ChunkJsonContext.Default.ChunkedPathRequest)
                ?? throw new InvalidRequestException($"line {number} of {What} is JSON null");
        }
        catch (JsonException e)
        {
            throw new InvalidRequestException($"line {number} of {What} is not valid JSON: {e.Message}");
        }
    }
}
