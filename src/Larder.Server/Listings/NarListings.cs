using Larder.Nix.Compression;
using Larder.Nix.Nar;
using Larder.Server.BinaryCache;
using Larder.Server.Errors;
using Larder.Server.Metadata;
using Larder.Server.Storage;
using Larder.Server.Storage.Chunks;

namespace Larder.Server.Listings;

/// <summary>
/// The <c>.ls</c> listing of a stored NAR: the listing blob stored with it or, for a NAR stored without one (a small NAR,
/// see <see cref="Configuration.ChunkingSettings.DerivedListingThreshold"/>), the listing derived from the NAR's chunks
/// when asked for, by the same parser that builds it at ingest (so the same bytes). Storing a small NAR's listing cost
/// a pushed path a second blob (a file created, synced and renamed, its directory synced); reading it back costs a
/// read of at most <see cref="MaxDerivedNarSize"/> bytes, and listings are asked for far less often than paths are pushed.
/// </summary>
public sealed class NarListings(ChunkStore chunks, IBlobStore blobs)
{
    /// <summary>The largest NAR whose listing is derived on read; larger NARs without a stored listing have none.</summary>
    public const long MaxDerivedNarSize = 1 << 20;

    private const string What = "the NAR's listing";

    /// <summary>
    /// The listing of <paramref name="nar"/>, or null when it has none. A stored listing whose blob is gone, or chunks
    /// that are gone or no longer parse, are a <see cref="LarderException"/> (a storage fault).
    /// </summary>
    public async Task<NarListingBody?> OpenAsync(NarRecord nar, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nar);
        if (nar.ListingKey is { } key)
        {
            long size = await blobs.GetSizeAsync(key, cancellationToken).ConfigureAwait(false)
                ?? throw new StoredDataMissingException(What, new BlobNotFoundException(key));
            return new NarListingBody(size, ct => blobs.OpenStoredAsync(key, 0, What, ct));
        }
        if (nar.NarSize > MaxDerivedNarSize)
        {
            return null;
        }
        var json = await DeriveAsync(nar, cancellationToken).ConfigureAwait(false);
        return new NarListingBody(json.Length, _ => Task.FromResult<Stream>(new MemoryStream(json, writable: false)));
    }

    private async Task<byte[]> DeriveAsync(NarRecord nar, CancellationToken cancellationToken)
    {
        var stored = new StoredChunksStream(chunks, nar.Chunks);
        await using (stored.ConfigureAwait(false))
        {
            var decompressed = Codecs.Decompress(stored, CompressionNames.Parse(nar.Compression), leaveOpen: true);
            await using (decompressed.ConfigureAwait(false))
            {
                var listing = new NarListing();
                try
                {
                    await NarParser.ParseAsync(decompressed, listing, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is NarFormatException or CompressionException)
                {
                    throw new LarderException(ErrorKind.StorageFault, $"the stored NAR {nar.NarHash} does not parse, so it has no listing: {e.Message}", e);
                }
                return listing.Utf8Json.ToArray();
            }
        }
    }
}

/// <summary>A listing's size and a way to open it.</summary>
public sealed record NarListingBody(long Length, Func<CancellationToken, Task<Stream>> OpenAsync);
