using Larder.Nix.Compression;
using Larder.Nix.Hashing;
using Larder.Nix.Nar;
using Larder.Server.Configuration;
using Larder.Nix.Streams;
using Larder.Server.Errors;
using Larder.Server.Metadata;
using Larder.Server.Storage.Chunks;
using Larder.Nix.Chunking;
using Microsoft.Extensions.Logging;

namespace Larder.Server.Ingest;

/// <summary>
/// Receives a NAR upload in one streaming pass: decompresses it according to its compression, validates the NAR
/// format, computes NarHash/NarSize and the upload's own FileHash/FileSize, builds its <c>.ls</c> listing, and cuts it
/// into content-defined chunks (<c>Larder:Chunking</c>) as it streams; each chunk is compressed with zstd and stored
/// by <see cref="ChunkStore"/> unless the server already holds it, so no NAR is ever held in memory or on local disk.
/// The file form (what clients download) is the concatenation of the chunks' stored bytes. Every blob's key is
/// recorded as an intent before it is written, due after <see cref="MaintenanceOptions.StagedUploadTtl"/>, so a blob
/// that no commit claims is deleted by maintenance. Nothing becomes visible in a cache: that is
/// <see cref="PathPublisher"/>'s job.
/// </summary>
public sealed class NarIngestor(ChunkStore chunks, IMetadataStore metadata, ILogger<NarIngestor> logger)
{
    /// <summary>
    /// Ingests <paramref name="body"/>, compressed with <paramref name="compression"/>. Fails with a
    /// <see cref="LarderException"/> (400 for a malformed NAR or compressed stream, 413 when the body or the NAR is
    /// larger than <paramref name="maxBytes"/>) and then leaves nothing visible (chunks stored meanwhile are reaped).
    /// </summary>
    public Task<IngestedNar> IngestAsync(Stream body, CompressionKind compression, long maxBytes, CancellationToken cancellationToken) =>
        IngestAsync(body, compression, maxBytes, null, cancellationToken);

    /// <summary>
    /// Like <see cref="IngestAsync(Stream, CompressionKind, long, CancellationToken)"/>, and also checks that the
    /// body's own hash is <paramref name="expectedUploadHash"/> (Nix names an upload by it) before anything names it.
    /// </summary>
    public async Task<IngestedNar> IngestAsync(
        Stream body, CompressionKind compression, long maxBytes, NixHash? expectedUploadHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var sink = new ChunkSink(chunks);
        return await ReceiveAsync(body, compression, maxBytes, expectedUploadHash, sink, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Streams the upload through the parser and the chunker. The body is checked (its end, its hash) before the last
    /// chunk is taken, so a bad upload of a NAR that fits in one chunk stores nothing; chunks of a larger one stored
    /// before the problem showed are held by nothing and reaped after <see cref="MaintenanceOptions.StagedUploadTtl"/>.
    /// Then the last chunk is stored (with the listing, in one intent and two puts at once), and only when a chunk of the
    /// NAR was stored before is an already stored NAR looked up: when every chunk row is this upload's own, no NAR of
    /// these chunks exists. (One of the same NarHash cut into other chunks, by other chunk sizes, is still found by the
    /// commit, which then keeps that NAR and releases these chunks.)
    /// </summary>
    private async Task<IngestedNar> ReceiveAsync(
        Stream body, CompressionKind compression, long maxBytes, NixHash? expectedUploadHash, ChunkSink sink, CancellationToken cancellationToken)
    {
        await using var hashedBody = new HashingStream(body, HashKind.Sha256, leaveOpen: true);
        try
        {
            await using var chunking = new ChunkingWriteStream(new FastCdcChunker(chunks.Chunking), sink.AcceptAsync, ChunkBuffers.Pool);
            NarHashResult nar;
            var listing = new NarListing();
            await using (var decompressed = Codecs.DecompressBounded(hashedBody, compression, maxBytes, "the upload", "the uncompressed NAR", leaveOpen: true))
            {
                nar = await NarParser.ParseAsync(new TeeReadStream(decompressed, chunking), listing, cancellationToken).ConfigureAwait(false);
            }
            // Bytes after the compressed stream's end were hashed by the client too: take them, but they must not exist.
            await EnsureEndAsync(hashedBody, "the compressed stream", cancellationToken).ConfigureAwait(false);
            if (expectedUploadHash is { } expected && expected != hashedBody.GetHash())
            {
                throw new LarderException(
                    ErrorKind.BadRequest,
                    $"the upload's FileHash is {hashedBody.GetHash().ToNix32String()}, but its URL names {expected.ToNix32String()}");
            }
            var listingBlob = nar.NarSize > chunks.DerivedListingThreshold
                ? new CompanionBlob(FreshBlobKeys.Listing(nar.NarHash), listing.Utf8Json)
                : null;
            await CompleteChunksAsync(chunking, sink, listingBlob, cancellationToken).ConfigureAwait(false);
            var existing = sink.FoundStoredChunks
                ? await metadata.GetNarByNarHashAsync(nar.NarHash.ToNix32String(), cancellationToken).ConfigureAwait(false)
                : null;
            return Describe(nar, hashedBody, sink, existing, listingBlob?.Key);
        }
        catch (NarFormatException e)
        {
            throw new LarderException(ErrorKind.BadRequest, $"invalid NAR at offset {e.Offset}: {e.Reason}", e);
        }
        catch (CompressionException e)
        {
            throw new LarderException(
                ErrorKind.BadRequest, $"the upload is not valid {CompressionNames.ToNixName(compression)} data: {e.Reason}", e);
        }
        catch (LengthLimitExceededException e)
        {
            throw new LarderException(ErrorKind.PayloadTooLarge, e.Message, e);
        }
    }

    /// <summary>Takes the last chunk, then stores the last pack with the listing, if any (whose intent it shares).</summary>
    private static async Task CompleteChunksAsync(ChunkingWriteStream chunking, ChunkSink sink, CompanionBlob? listing, CancellationToken cancellationToken)
    {
        await chunking.CompleteAsync(cancellationToken).ConfigureAwait(false);
        await sink.CompleteWithAsync(listing, cancellationToken).ConfigureAwait(false);
    }

    private static async Task EnsureEndAsync(Stream stream, string what, CancellationToken cancellationToken)
    {
        var probe = new byte[1];
        if (await stream.ReadAsync(probe, cancellationToken).ConfigureAwait(false) != 0)
        {
            throw new LarderException(ErrorKind.BadRequest, $"unexpected data after the end of {what}");
        }
    }

    private IngestedNar Describe(NarHashResult nar, HashingStream body, ChunkSink sink, NarRecord? existing, string? listingKey)
    {
        string narHash = nar.NarHash.ToNix32String();
        string uploadHash = body.GetHash().ToNix32String();
        if (existing is not null)
        {
            // The commit reuses the stored NAR (one per NarHash), so the upload is described by its file form.
            logger.LogDebug("NAR {NarHash} is already stored; reusing its chunks", narHash);
            return new IngestedNar(narHash, nar.NarSize, uploadHash, body.Length, existing.FileHash, existing.FileSize, existing.Chunks, listingKey);
        }
        return new IngestedNar(narHash, nar.NarSize, uploadHash, body.Length, sink.FileHash.ToNix32String(), sink.FileSize, sink.Chunks, listingKey);
    }
}
