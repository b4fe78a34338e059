using Larder.Nix.Compression;
using Larder.Nix.Hashing;
using Larder.Nix.Nar;
using Larder.Nix.Streams;
using Larder.Server.Configuration;
using Larder.Server.Errors;
using Larder.Server.Metadata;
using Larder.Server.Storage;
using Larder.Server.Storage.Chunks;
using Microsoft.Extensions.Options;

namespace Larder.Server.Ingest;

/// <summary>
/// Turns a client's ordered chunk list into the NAR it publishes (<c>chunked-paths</c>), trusting nothing the client
/// says: every chunk must be stored, and the NarHash and NarSize are re-derived by streaming the stored chunks
/// (decompressed, parsed as a NAR while its <c>.ls</c> listing is built, hashed), never holding the NAR in memory; the
/// FileHash/FileSize are those of the stored bytes concatenated. A NAR already stored with the same NarHash is reused.
/// </summary>
public sealed class ChunkedNarAssembler(
    ChunkStore chunks, IMetadataStore metadata, IBlobStore blobs, StagingArea staging, IOptions<LarderOptions> options, TimeProvider time)
{
    /// <summary>
    /// The NAR that <paramref name="hashes"/> (in order, repeats allowed) make, checked against the client's
    /// <paramref name="narHash"/> and <paramref name="narSize"/>. Throws <see cref="UnknownChunksException"/> naming
    /// chunks the server does not hold, <see cref="InvalidRequestException"/> when the concatenation is not a NAR or
    /// does not match the claims, <see cref="PayloadTooLargeException"/> past <c>Larder:MaxUploadBytes</c>.
    /// </summary>
    public async Task<PublishedNar> AssembleAsync(IReadOnlyList<string> hashes, NixHash narHash, long narSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        var found = await chunks.FindAsync([.. hashes.Distinct(StringComparer.Ordinal)], cancellationToken).ConfigureAwait(false);
        var missing = hashes.Distinct(StringComparer.Ordinal).Where(hash => !found.ContainsKey(hash)).ToList();
        if (missing.Count > 0)
        {
            throw new UnknownChunksException(missing);
        }
        var list = hashes.Select(hash => found[hash]).ToList();
        var claimed = narHash.ToNix32String();
        var existing = await metadata.GetNarByNarHashAsync(claimed, cancellationToken).ConfigureAwait(false);
        if (existing is not null && existing.Chunks.Select(c => c.Hash).SequenceEqual(hashes, StringComparer.Ordinal))
        {
            return new PublishedNar(existing);
        }
        var total = list.Sum(chunk => chunk.Size);
        if (total > options.Value.MaxUploadBytes)
        {
            throw new PayloadTooLargeException($"the chunks make a NAR of {total} bytes, larger than the limit of {options.Value.MaxUploadBytes} bytes");
        }
        var listingFile = staging.NewFilePath(".ls");
        try
        {
            var derived = await DeriveAsync(list, listingFile, cancellationToken).ConfigureAwait(false);
            if (derived.NarHash != narHash || derived.NarSize != narSize || derived.NarSize != total)
            {
                throw new InvalidRequestException(
                    $"the chunks make a NAR with NarHash {derived.NarHash} and NarSize {derived.NarSize}, " +
                    $"but the path's metadata says {claimed} and {narSize}");
            }
            if (existing is not null)
            {
                return new PublishedNar(existing);
            }
            var now = time.GetUtcNow();
            string? listingKey = null;
            if (derived.NarSize > chunks.DerivedListingThreshold)
            {
                listingKey = FreshBlobKeys.Listing(derived.NarHash);
                await metadata.RecordBlobIntentsAsync([listingKey], now + options.Value.Maintenance.StagedUploadTtl, cancellationToken).ConfigureAwait(false);
                await blobs.PutFileAsync(listingKey, listingFile, cancellationToken).ConfigureAwait(false);
            }
            var nar = new NarRecord(
                0, claimed, derived.NarSize, "zstd", derived.FileHash.ToNix32String(), derived.FileSize, list, listingKey, now);
            return new PublishedNar(nar);
        }
        finally
        {
            StagingArea.TryDelete(listingFile);
        }
    }

    // The file form is hashed on another thread while this one decompresses, parses and hashes the NAR: the two
    // SHA-256 passes over a large NAR run side by side.
    private async Task<Derived> DeriveAsync(IReadOnlyList<ChunkRecord> list, string listingFile, CancellationToken cancellationToken)
    {
        var stored = new StoredChunksStream(chunks, list);
        await using (stored.ConfigureAwait(false))
        {
            var file = new OffThreadHashingStream(stored, HashKind.Sha256, leaveOpen: true);
            await using (file.ConfigureAwait(false))
            {
                NarHashResult nar;
                var decompressed = Codecs.Decompress(file, CompressionKind.Zstd, leaveOpen: true);
                await using (decompressed.ConfigureAwait(false))
                {
                    try
                    {
                        var listing = new NarListing();
                        nar = await NarParser.ParseAsync(decompressed, listing, cancellationToken).ConfigureAwait(false);
                        if (await decompressed.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false) != 0)
                        {
                            throw new InvalidRequestException("the chunks hold more data after the end of the NAR");
                        }
                        await File.WriteAllBytesAsync(listingFile, listing.Utf8Json, cancellationToken).ConfigureAwait(false);
                    }
                    catch (NarFormatException e)
                    {
                        throw new InvalidRequestException($"the chunks do not make a valid NAR: at offset {e.Offset}: {e.Reason}", e);
                    }
                }
                var (fileHash, fileSize) = await file.GetHashAsync().ConfigureAwait(false);
                return new Derived(nar.NarHash, nar.NarSize, fileHash, fileSize);
            }
        }
    }

    private sealed record Derived(NixHash NarHash, long NarSize, NixHash FileHash, long FileSize);
}
