namespace Larder.Nix.Chunking;

/// <summary>
/// Chunk size settings of <see cref="FastCdcChunker"/>. Stored chunk boundaries depend on these values (and on
/// <see cref="GearTable"/>): changing them for existing data means new chunks, not wrong ones, but no dedup with the old.
/// </summary>
public sealed record ChunkingOptions
{
    /// <summary>The smallest <see cref="MinSize"/> accepted: the gear hash covers the last 64 bytes.</summary>
    public const int SmallestMinSize = 64;

    /// <summary>The largest <see cref="MaxSize"/> accepted (a chunk is one pooled buffer).</summary>
    public const int LargestMaxSize = 256 * 1024 * 1024;

    /// <summary>
    /// 64 KiB / 256 KiB / 1 MiB, single chunk below 64 KiB. Chosen with <c>bench/chunking/run.sh</c>: ten versions of a
    /// 200 MiB file with 1% changed each store 1.22x one version, and a push of the next version sends 2.4% of it
    /// (256K/1M/4M: 1.45x and 5.0%). Its 3.45 chunks per stored MiB are not objects: the server stores the new chunks
    /// of an upload together in packs (<c>Larder:Chunking:PackSize</c>).
    /// </summary>
    public static ChunkingOptions Default { get; } = new();

    /// <summary>No chunk but the last of an input is shorter than this; no cut point is searched before it.</summary>
    public int MinSize { get; init; } = 64 * 1024;

    /// <summary>The normal chunk size: a power of two. Cut points are harder to hit before it and easier after it.</summary>
    public int AverageSize { get; init; } = 256 * 1024;

    /// <summary>No chunk is longer than this: a chunk with no cut point by then is cut here.</summary>
    public int MaxSize { get; init; } = 1024 * 1024;

    /// <summary>
    /// Inputs shorter than this are one chunk whatever their content (between 0 and <see cref="MaxSize"/>). Inputs up to
    /// <see cref="MinSize"/> are one chunk anyway; a larger threshold keeps mid-sized inputs whole.
    /// </summary>
    public int SingleChunkThreshold { get; init; } = 64 * 1024;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that is out of range.</summary>
    public void Validate()
    {
        if (MinSize < SmallestMinSize)
        {
            throw new ArgumentException($"chunk MinSize {MinSize} is below {SmallestMinSize} bytes", nameof(MinSize));
        }
        if (AverageSize <= MinSize || !int.IsPow2(AverageSize))
        {
            throw new ArgumentException(
                $"chunk AverageSize {AverageSize} must be a power of two above MinSize {MinSize}", nameof(AverageSize));
        }
        if (MaxSize <= AverageSize || MaxSize > LargestMaxSize)
        {
            throw new ArgumentException(
                $"chunk MaxSize {MaxSize} must be above AverageSize {AverageSize} and at most {LargestMaxSize}", nameof(MaxSize));
        }
        if (SingleChunkThreshold < 0 || SingleChunkThreshold > MaxSize)
        {
            throw new ArgumentException(
                $"SingleChunkThreshold {SingleChunkThreshold} must be between 0 and MaxSize {MaxSize}", nameof(SingleChunkThreshold));
        }
    }

    /// <summary><c>min/avg/max</c> in KiB, as logs and the benchmark print it.</summary>
    public override string ToString() => $"{MinSize / 1024}K/{AverageSize / 1024}K/{MaxSize / 1024}K";
}
