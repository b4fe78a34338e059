using Larder.Nix.Chunking;
using Larder.Nix.Compression;
using Larder.Nix.Hashing;
using Larder.Nix.Streams;
using Larder.Server.Metadata;

namespace Larder.Server.Storage.Chunks;

/// <summary>
/// Converts NARs still stored as one chunk (stored before chunking, or by an older Larder) into content-defined chunks
/// (<c>larder admin rechunk</c>): each is streamed from the blob store, decompressed, checked against its NarHash and
/// cut; new chunks are stored by <see cref="ChunkStore"/>, then the NAR is swapped to its chunk list in one
/// transaction that releases the old chunk for the reaper and keeps the old FileHash as an alias, so narinfos fetched
/// before still download. Works in batches by NAR id; resumable and idempotent (a converted NAR is no longer listed).
/// </summary>
public sealed class NarRechunker(IMetadataStore metadata, ChunkStore chunks, TimeProvider time)
{
    private const int BatchSize = 100;

    /// <summary>Converts every single-chunk NAR larger than the threshold; <paramref name="progress"/> sees each NAR done.</summary>
    public async Task<RechunkReport> RechunkAllAsync(IProgress<RechunkReport>? progress, CancellationToken cancellationToken)
    {
        var options = chunks.Chunking;
        // NARs up to MinSize are one chunk whatever their content: never worth reading.
        long minNarSize = Math.Max(options.SingleChunkThreshold, options.MinSize);
        var report = new RechunkReport(0, 0, 0, []);
        long afterId = 0;
        while (true)
        {
            var batch = await metadata.ListSingleChunkNarsAsync(afterId, minNarSize, BatchSize, cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                return report;
            }
            foreach (var nar in batch)
            {
                afterId = nar.Id;
                report = await RechunkAsync(nar, report, cancellationToken).ConfigureAwait(false);
                progress?.Report(report);
            }
        }
    }

    private async Task<RechunkReport> RechunkAsync(NarRecord nar, RechunkReport report, CancellationToken cancellationToken)
    {
        using var sink = new ChunkSink(chunks);
        NixHash narHash;
        long narSize;
        try
        {
            (narHash, narSize) = await CutAsync(nar, sink, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is CompressionException or IOException or Errors.LarderException)
        {
            return report with { Failed = [.. report.Failed, $"{nar.NarHash}: {e.Message}"] };
        }
        report = report with { BytesRead = report.BytesRead + narSize };
        if (narHash.ToNix32String() != nar.NarHash || narSize != nar.NarSize)
        {
            return report with { Failed = [.. report.Failed, $"{nar.NarHash}: the stored NAR has NarHash {narHash} and NarSize {narSize} (run larder admin verify)"] };
        }
        if (sink.Chunks.Count == 1)
        {
            return report with { LeftWhole = report.LeftWhole + 1 };
        }
        var swapped = await metadata.ReplaceNarChunksAsync(
            nar.Id, nar.FileHash, sink.FileHash.ToNix32String(), sink.FileSize, sink.Chunks, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return swapped ? report with { Converted = report.Converted + 1 } : report;
    }

    /// <summary>Streams the NAR's stored bytes through the chunker; its NarHash and NarSize as read.</summary>
    private async Task<(NixHash NarHash, long NarSize)> CutAsync(NarRecord nar, ChunkSink sink, CancellationToken cancellationToken)
    {
        var stored = new StoredChunksStream(chunks, nar.Chunks);
        await using (stored.ConfigureAwait(false))
        {
            var decompressed = Codecs.Decompress(stored, CompressionKind.Zstd, leaveOpen: true);
            await using (decompressed.ConfigureAwait(false))
            {
                var chunking = new ChunkingWriteStream(new FastCdcChunker(chunks.Chunking), sink.AcceptAsync, ChunkBuffers.Pool);
                await using (chunking.ConfigureAwait(false))
                {
                    var hashing = new HashingStream(chunking, HashKind.Sha256, leaveOpen: true);
                    await using (hashing.ConfigureAwait(false))
                    {
                        await decompressed.CopyToAsync(hashing, 1 << 18, cancellationToken).ConfigureAwait(false);
                        await chunking.CompleteAsync(cancellationToken).ConfigureAwait(false);
                        await sink.CompleteAsync(cancellationToken).ConfigureAwait(false);
                        return (hashing.GetHash(), hashing.Length);
                    }
                }
            }
        }
    }
}

/// <summary>What a rechunk pass did so far.</summary>
/// <param name="Converted">NARs swapped to their chunk lists.</param>
/// <param name="LeftWhole">NARs whose content makes one chunk anyway (no cut point before the largest chunk size).</param>
/// <param name="BytesRead">Uncompressed NAR bytes read.</param>
/// <param name="Failed">NARs left as they were, each with the reason (missing or corrupt stored data).</param>
public sealed record RechunkReport(int Converted, int LeftWhole, long BytesRead, IReadOnlyList<string> Failed);
