using Larder.Nix.Compression;
using Larder.Nix.Hashing;
using Larder.Nix.Nar;
using Larder.Server.Configuration;
using Larder.Nix.Streams;
using Larder.Server.Errors;
using Larder.Server.Metadata;
using Larder.Server.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Larder.Server.Ingest;

/// <summary>
/// Receives a NAR upload in one streaming pass: decompresses it according to its compression, validates the NAR
/// format, computes NarHash/NarSize and the upload's own FileHash/FileSize, recompresses it with zstd into a staging
/// file and builds its <c>.ls</c> listing; then stores chunk and listing in the blob store under fresh keys (the chunk
/// is skipped when the same NAR is already stored). Before writing a blob it records the intent in the metadata, due
/// after <see cref="MaintenanceOptions.StagedUploadTtl"/>, so a blob that no commit claims is deleted by maintenance.
/// Nothing becomes visible in a cache: that is <see cref="PathPublisher"/>'s job.
/// </summary>
public sealed class NarIngestor(
    IBlobStore blobs, IMetadataStore metadata, StagingArea staging, IOptions<LarderOptions> options, TimeProvider time, ILogger<NarIngestor> logger)
{
    private const int BufferSize = 1 << 16;
    private const int ZstdLevel = 3;

    /// <summary>
    /// Ingests <paramref name="body"/>, compressed with <paramref name="compression"/>. Fails with a
    /// <see cref="LarderException"/> (400 for a malformed NAR or compressed stream, 413 when the body or the NAR is
    /// larger than <paramref name="maxBytes"/>) and then leaves nothing behind.
    /// </summary>
    public Task<IngestedNar> IngestAsync(Stream body, CompressionKind compression, long maxBytes, CancellationToken cancellationToken) =>
        IngestAsync(body, compression, maxBytes, null, cancellationToken);

    /// <summary>
    /// Like <see cref="IngestAsync(Stream, CompressionKind, long, CancellationToken)"/>, and also checks that the
    /// body's own hash is <paramref name="expectedUploadHash"/> (Nix names an upload by it) before storing anything.
    /// </summary>
    public async Task<IngestedNar> IngestAsync(
        Stream body, CompressionKind compression, long maxBytes, NixHash? expectedUploadHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        string narFile = staging.NewFilePath(".nar.zst");
        string listingFile = staging.NewFilePath(".ls");
        try
        {
            var received = await ReceiveAsync(body, compression, maxBytes, narFile, listingFile, cancellationToken).ConfigureAwait(false);
            if (expectedUploadHash is { } expected && expected != received.UploadHash)
            {
                throw new LarderException(
                    ErrorKind.BadRequest,
                    $"the upload's FileHash is {received.UploadHash.ToNix32String()}, but its URL names {expected.ToNix32String()}");
            }
            return await StoreAsync(received, narFile, listingFile, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            StagingArea.TryDelete(narFile);
            StagingArea.TryDelete(listingFile);
        }
    }

    private static async Task<Received> ReceiveAsync(
        Stream body, CompressionKind compression, long maxBytes, string narFile, string listingFile, CancellationToken cancellationToken)
    {
        await using var hashedBody = new HashingStream(body, HashKind.Sha256, leaveOpen: true);
        await using var file = new FileStream(narFile, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
        await using var hashedFile = new HashingStream(file, HashKind.Sha256, leaveOpen: true);
        NarHashResult nar;
        try
        {
            await using var compressor = Codecs.Compress(hashedFile, CompressionKind.Zstd, ZstdLevel, leaveOpen: true);
            await using (var decompressed = Codecs.DecompressBounded(hashedBody, compression, maxBytes, "the upload", "the uncompressed NAR", leaveOpen: true))
            {
                var tee = new TeeReadStream(decompressed, compressor);
                var listing = new NarListing();
                nar = await NarParser.ParseAsync(tee, listing, cancellationToken).ConfigureAwait(false);
                await File.WriteAllBytesAsync(listingFile, listing.Utf8Json, cancellationToken).ConfigureAwait(false);
            }
            // Bytes after the compressed stream's end were hashed by the client too: take them, but they must not exist.
            await EnsureEndAsync(hashedBody, "the compressed stream", cancellationToken).ConfigureAwait(false);
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
        await hashedFile.FlushAsync(cancellationToken).ConfigureAwait(false);
        return new Received(nar.NarHash, nar.NarSize, hashedBody.GetHash(), hashedBody.Length, hashedFile.GetHash(), hashedFile.Length);
    }

    private static async Task EnsureEndAsync(Stream stream, string what, CancellationToken cancellationToken)
    {
        var probe = new byte[1];
        if (await stream.ReadAsync(probe, cancellationToken).ConfigureAwait(false) != 0)
        {
            throw new LarderException(ErrorKind.BadRequest, $"unexpected data after the end of {what}");
        }
    }

    private async Task<IngestedNar> StoreAsync(Received received, string narFile, string listingFile, CancellationToken cancellationToken)
    {
        string narHash = received.NarHash.ToNix32String();
        string uploadHash = received.UploadHash.ToNix32String();
        string listingKey = FreshBlobKeys.Listing(received.NarHash);
        var existing = await metadata.GetNarByNarHashAsync(narHash, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            logger.LogDebug("NAR {NarHash} is already stored; reusing its chunks", narHash);
            await PutAsync(listingKey, listingFile, cancellationToken).ConfigureAwait(false);
            return new IngestedNar(
                narHash, received.NarSize, uploadHash, received.UploadSize, existing.FileHash, existing.FileSize, existing.Chunks, listingKey);
        }

        string chunkKey = FreshBlobKeys.Chunk(received.NarHash);
        await RecordIntentsAsync([chunkKey, listingKey], cancellationToken).ConfigureAwait(false);
        await blobs.PutFileAsync(chunkKey, narFile, cancellationToken).ConfigureAwait(false);
        await blobs.PutFileAsync(listingKey, listingFile, cancellationToken).ConfigureAwait(false);
        string fileHash = received.FileHash.ToNix32String();
        var chunk = new ChunkRecord(narHash, chunkKey, received.NarSize, fileHash, received.FileSize, "zstd");
        return new IngestedNar(narHash, received.NarSize, uploadHash, received.UploadSize, fileHash, received.FileSize, [chunk], listingKey);
    }

    private async Task PutAsync(string key, string file, CancellationToken cancellationToken)
    {
        await RecordIntentsAsync([key], cancellationToken).ConfigureAwait(false);
        await blobs.PutFileAsync(key, file, cancellationToken).ConfigureAwait(false);
    }

    private Task RecordIntentsAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken) =>
        metadata.RecordBlobIntentsAsync(keys, time.GetUtcNow() + options.Value.Maintenance.StagedUploadTtl, cancellationToken);

    private sealed record Received(NixHash NarHash, long NarSize, NixHash UploadHash, long UploadSize, NixHash FileHash, long FileSize);
}
