using Larder.Nix.Chunking;

namespace Larder.Server.Configuration;

/// <summary>
/// The <c>Larder:Chunking</c> section: how stored NARs are cut into chunks (FastCDC). Defaults are
/// <see cref="ChunkingOptions.Default"/> (64 KiB / 256 KiB / 1 MiB, one chunk up to 64 KiB). Changing them is safe
/// but new chunks no longer deduplicate with chunks stored under the old sizes.
/// </summary>
public sealed class ChunkingSettings
{
    /// <summary>Smallest <see cref="PackSize"/>.</summary>
    public const int MinPackSize = 1 << 20;

    /// <summary>Largest <see cref="PackSize"/>: a pack is built in memory.</summary>
    public const int MaxPackSize = 64 << 20;

    /// <summary>Smallest chunk in bytes (except a NAR's last).</summary>
    public int MinSize { get; set; } = ChunkingOptions.Default.MinSize;

    /// <summary>Normal chunk size in bytes, a power of two.</summary>
    public int AverageSize { get; set; } = ChunkingOptions.Default.AverageSize;

    /// <summary>Largest chunk in bytes; also the largest chunk upload accepted (uncompressed).</summary>
    public int MaxSize { get; set; } = ChunkingOptions.Default.MaxSize;

    /// <summary>NARs no larger than this many bytes are stored as one chunk.</summary>
    public int SingleChunkThreshold { get; set; } = ChunkingOptions.Default.SingleChunkThreshold;

    /// <summary>
    /// Largest pack blob in bytes: new chunks are stored together, this many compressed bytes per object at most
    /// (fewer objects and PUTs than one per chunk); also the largest pack a client may upload. A chunk that does not fit
    /// in a pack by itself is stored as its own blob.
    /// </summary>
    public int PackSize { get; set; } = 16 << 20;

    /// <summary>
    /// NARs up to this many bytes are stored without a listing blob: their <c>.ls</c> is derived from the NAR when asked
    /// for (<see cref="Listings.NarListings"/>), which saves each small pushed path a blob write. 0 stores every
    /// listing; at most <see cref="Listings.NarListings.MaxDerivedNarSize"/>.
    /// </summary>
    public long DerivedListingThreshold { get; set; } = 256 << 10;

    /// <summary>The chunker's options.</summary>
    public ChunkingOptions ToChunkingOptions() => new()
    {
        MinSize = MinSize,
        AverageSize = AverageSize,
        MaxSize = MaxSize,
        SingleChunkThreshold = SingleChunkThreshold,
    };

    /// <summary>Throws <see cref="LarderConfigurationException"/> naming the first key that is out of range.</summary>
    public void Validate()
    {
        try
        {
            ToChunkingOptions().Validate();
        }
        catch (ArgumentException e)
        {
            throw new LarderConfigurationException($"Larder:Chunking:{e.ParamName}: {e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal)}", e);
        }
        if (PackSize < MinPackSize || PackSize > MaxPackSize)
        {
            throw new LarderConfigurationException(
                $"Larder:Chunking:PackSize: {PackSize} is out of range: a pack holds {MinPackSize} (1 MiB) to {MaxPackSize} (64 MiB) bytes");
        }
        if (DerivedListingThreshold < 0 || DerivedListingThreshold > Listings.NarListings.MaxDerivedNarSize)
        {
            throw new LarderConfigurationException(
                $"Larder:Chunking:DerivedListingThreshold: {DerivedListingThreshold} is out of range: 0 (store every listing) to {Listings.NarListings.MaxDerivedNarSize} (1 MiB)");
        }
    }
}
