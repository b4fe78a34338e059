using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Larder.Nix.Chunking;

/// <summary>
/// Content-defined chunking with FastCDC (Xia et al., USENIX ATC 2016; IEEE TPDS 2020): a gear rolling hash over the
/// bytes, cut-point skipping (no byte before <see cref="ChunkingOptions.MinSize"/> is hashed), and normalized chunking
/// at level 2: before <see cref="ChunkingOptions.AverageSize"/> a cut needs the top log2(avg)+2 hash bits to be zero,
/// after it only the top log2(avg)-2, and <see cref="ChunkingOptions.MaxSize"/> forces a cut. The top bits of the
/// gear hash are the ones that depend on the most recent 64 bytes, so "top n bits zero" is one comparison.
/// Boundaries depend only on the content, so an edit changes only the chunks around it. Thread-safe: it holds only
/// settings. Chunks of a stream come from <see cref="ReadChunksAsync"/> or a <see cref="ChunkingWriteStream"/>.
/// </summary>
public sealed partial class FastCdcChunker
{
    private readonly int _minSize;
    private readonly int _averageSize;
    private readonly int _maxSize;
    private readonly ulong _strictLimit;
    private readonly ulong _looseLimit;

    /// <summary>A chunker with <paramref name="options"/> (validated: bad settings throw <see cref="ArgumentException"/>).</summary>
    public FastCdcChunker(ChunkingOptions? options = null)
    {
        Options = options ?? ChunkingOptions.Default;
        Options.Validate();
        _minSize = Options.MinSize;
        _averageSize = Options.AverageSize;
        _maxSize = Options.MaxSize;
        int averageBits = int.Log2(_averageSize);
        _strictLimit = 1UL << (64 - (averageBits + 2));
        _looseLimit = 1UL << (64 - (averageBits - 2));
    }

    /// <summary>The settings.</summary>
    public ChunkingOptions Options { get; }

    /// <summary>
    /// Finds where the chunk that starts at <c>data[0]</c> ends. True with the chunk's length when it ends within
    /// <paramref name="data"/>: at a cut point, at <see cref="ChunkingOptions.MaxSize"/>, or at the end of data when
    /// <paramref name="isFinalBlock"/> says no input follows. False when more input is needed (data is then shorter
    /// than MaxSize), or when data is empty. Does not apply <see cref="ChunkingOptions.SingleChunkThreshold"/>, which
    /// needs the input's total length.
    /// </summary>
    public bool TryFindCutPoint(ReadOnlySpan<byte> data, bool isFinalBlock, out int chunkLength)
    {
        var search = default(CutPointSearch);
        return TryFindCutPoint(data, isFinalBlock, ref search, out chunkLength);
    }

    /// <summary>
    /// Like <see cref="TryFindCutPoint(ReadOnlySpan{byte}, bool, out int)"/>, for a chunk that grows between calls:
    /// <paramref name="data"/> is the whole chunk so far (the same bytes as last time, and more), and
    /// <paramref name="search"/> carries where the last call stopped. Reset it to <c>default</c> for the next chunk.
    /// </summary>
    public bool TryFindCutPoint(ReadOnlySpan<byte> data, bool isFinalBlock, ref CutPointSearch search, out int chunkLength)
    {
        int end = Math.Min(data.Length, _maxSize);
        if (end > _minSize)
        {
            int position = Math.Max(search.Position, _minSize);
            ulong hash = search.Hash;
            int cut = Scan(ref MemoryMarshal.GetReference(data), ref position, Math.Min(end, _averageSize), ref hash, _strictLimit);
            if (cut < 0)
            {
                cut = Scan(ref MemoryMarshal.GetReference(data), ref position, end, ref hash, _looseLimit);
            }
            if (cut >= 0)
            {
                chunkLength = cut;
                return true;
            }
            search.Position = position;
            search.Hash = hash;
        }

        if (end == _maxSize || (isFinalBlock && end > 0))
        {
            chunkLength = end;
            return true;
        }
        chunkLength = 0;
        return false;
    }

    // Hashes bytes [position, end) and returns the length of the chunk ending at the first byte after which the hash
    // is below limit, or -1 with position = end. No bounds checks: callers keep end within the span.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Scan(ref byte data, ref int position, int end, ref ulong hash, ulong limit)
    {
        ref ulong gear = ref MemoryMarshal.GetArrayDataReference(GearTable.Table);
        ulong h = hash;
        nint i = position;
        nint stop = end;
        int cut = -1;
        for (; i < stop; i++)
        {
            h = (h << 1) + Unsafe.Add(ref gear, Unsafe.Add(ref data, i));
            if (h < limit)
            {
                cut = (int)i + 1;
                i++;
                break;
            }
        }
        position = (int)i;
        hash = h;
        return cut;
    }
}
