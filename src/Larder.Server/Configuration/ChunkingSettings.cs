using Larder.Nix.Chunking;

namespace Larder.Server.Configuration;

/// <summary>
/// The <c>Larder:Chunking</c> section: how stored NARs are cut into chunks (FastCDC). Defaults are
/// <see cref="ChunkingOptions.Default"/> (256 KiB / 1 MiB / 4 MiB, one chunk up to 64 KiB). Changing them is safe
/// but new chunks no longer deduplicate with chunks stored under the old sizes.
/// </summary>
public sealed class ChunkingSettings
{
    /// <summary>Smallest chunk in bytes (except a NAR's last).</summary>
    public int MinSize { get; set; } = ChunkingOptions.Default.MinSize;

    /// <summary>Normal chunk size in bytes, a power of two.</summary>
    public int AverageSize { get; set; } = ChunkingOptions.Default.AverageSize;

    /// <summary>Largest chunk in bytes; also the largest chunk upload accepted (uncompressed).</summary>
    public int MaxSize { get; set; } = ChunkingOptions.Default.MaxSize;

    /// <summary>NARs no larger than this many bytes are stored as one chunk.</summary>
    public int SingleChunkThreshold { get; set; } = ChunkingOptions.Default.SingleChunkThreshold;

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
    }
}
