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
        var list = await FindStoredAsync(hashes, cancellationToken).ConfigureAwait(false);
        var existing = await metadata.GetNarByNarHashAsync(narHash.ToNix32String(), cancellationToken).ConfigureAwait(false);
        if (existing is not null && existing.Chunks.Select(c => c.Hash).SequenceEqual(hashes, StringComparer.Ordinal))
        {
            return new PublishedNar(existing);
        }
        CheckTotal(list.Sum(chunk => chunk.Size));
        var listingFile = staging.NewFilePath(".ls");
        try
        {
            var derived = await DeriveAsync(new StoredChunksStream(chunks, list), listingFile, cancellationToken).ConfigureAwait(false);
            CheckDerived(list, derived, narHash, narSize);
            return await NarOfAsync(list, derived, listingFile, existing, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            StagingArea.TryDelete(listingFile);
        }
    }

    /// <summary>
    /// The stored chunks <paramref name="hashes"/> name, in order (repeats allowed); <see cref="UnknownChunksException"/>
    /// naming those the server does not hold.
    /// </summary>
    public async Task<IReadOnlyList<ChunkRecord>> FindStoredAsync(IReadOnlyList<string> hashes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        var distinct = hashes.Distinct(StringComparer.Ordinal).ToList();
        var found = await chunks.FindAsync(distinct, cancellationToken).ConfigureAwait(false);
        var missing = distinct.Where(hash => !found.ContainsKey(hash)).ToList();
        if (missing.Count > 0)
        {
            throw new UnknownChunksException(missing);
        }
        return hashes.Select(hash => found[hash]).ToList();
    }

    /// <summary><see cref="PayloadTooLargeException"/> when chunks of <paramref name="total"/> bytes make a NAR past <c>Larder:MaxUploadBytes</c>.</summary>
    public void CheckTotal(long total)
    {
        if (total > options.Value.MaxUploadBytes)
        {
            throw new PayloadTooLargeException($"the chunks make a NAR of {total} bytes, larger than the limit of {options.Value.MaxUploadBytes} bytes");
        }
    }

    /// <summary>
    /// The NAR of the chunks <paramref name="list"/>, once <see cref="DeriveAsync"/> re-derived <paramref name="derived"/>
    /// from exactly their stored bytes: checked against the client's <paramref name="narHash"/> and
    /// <paramref name="narSize"/> (<see cref="InvalidRequestException"/> otherwise); a NAR already stored with that
    /// NarHash is reused, else the listing written to <paramref name="listingFile"/> is stored when the NAR is large.
    /// </summary>
    public async Task<PublishedNar> AcceptAsync(
        IReadOnlyList<ChunkRecord> list, DerivedNar derived, NixHash narHash, long narSize, string listingFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(derived);
        CheckDerived(list, derived, narHash, narSize);
        var existing = await metadata.GetNarByNarHashAsync(narHash.ToNix32String(), cancellationToken).ConfigureAwait(false);
        return await NarOfAsync(list, derived, listingFile, existing, cancellationToken).ConfigureAwait(false);
    }

    // The NAR of a checked derivation: the one stored with its NarHash (looked up by the caller), else a new record
    // with its listing stored when the NAR is large.
    private async Task<PublishedNar> NarOfAsync(
        IReadOnlyList<ChunkRecord> list, DerivedNar derived, string listingFile, NarRecord? existing, CancellationToken cancellationToken)
    {
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
            0, derived.NarHash.ToNix32String(), derived.NarSize, "zstd", derived.FileHash.ToNix32String(), derived.FileSize, list, listingKey, now);
        return new PublishedNar(nar);
    }

    private static void CheckDerived(IReadOnlyList<ChunkRecord> list, DerivedNar derived, NixHash narHash, long narSize)
    {
        ArgumentNullException.ThrowIfNull(list);
        if (derived.NarHash != narHash || derived.NarSize != narSize || derived.NarSize != list.Sum(chunk => chunk.Size))
        {
            throw new InvalidRequestException(
                $"the chunks make a NAR with NarHash {derived.NarHash} and NarSize {derived.NarSize}, " +
                $"but the path's metadata says {narHash.ToNix32String()} and {narSize}");
        }
    }

    /// <summary>
    /// Re-derives the NAR whose file form (zstd frames, concatenated) <paramref name="stored"/> reads, which it disposes:
    /// decompressed, parsed as a NAR (its <c>.ls</c> listing written to <paramref name="listingFile"/>) and hashed;
    /// <see cref="InvalidRequestException"/> when it is no NAR. The file form is hashed on another thread while this one
    /// decompresses, parses and hashes the NAR: the two SHA-256 passes over a large NAR run side by side.
    /// </summary>
    public static async Task<DerivedNar> DeriveAsync(Stream stored, string listingFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
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
                return new DerivedNar(nar.NarHash, nar.NarSize, fileHash, fileSize);
            }
        }
    }
}

/// <summary>What <see cref="ChunkedNarAssembler.DeriveAsync"/> found: the NAR's hash and size, and its file form's.</summary>
public sealed record DerivedNar(NixHash NarHash, long NarSize, NixHash FileHash, long FileSize);
