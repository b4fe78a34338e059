using System.Buffers;
namespace Larder.Nix.Chunking;

/// <summary>
/// The buffering both streaming front ends share: input goes straight into the pooled buffer of the chunk being
/// formed (at most MaxSize), cut points are searched incrementally as it grows, and the few bytes past a cut move to
/// the next chunk's buffer. Input is taken in slices of at most <see cref="SliceSize"/>, which bounds that move.
/// </summary>
internal sealed class ChunkAccumulator : IDisposable
{
    internal const int SliceSize = 128 * 1024;

    private readonly FastCdcChunker _chunker;
    private readonly ArrayPool<byte> _pool;
    private readonly int _threshold;
    private byte[]? _buffer;
    private int _filled;
    private long _offset;
    private CutPointSearch _search;

    /// <param name="pool">Where chunk buffers come from and go back to (they travel with the chunks).</param>
    public ChunkAccumulator(FastCdcChunker chunker, ArrayPool<byte> pool)
    {
        ArgumentNullException.ThrowIfNull(chunker);
        ArgumentNullException.ThrowIfNull(pool);
        _chunker = chunker;
        _pool = pool;
        _threshold = chunker.Options.SingleChunkThreshold;
        _buffer = Rent();
    }

    /// <summary>Bytes taken so far.</summary>
    public long Length => _offset + _filled;

    /// <summary>Where the next input goes (never empty while <see cref="TryTakeChunk"/> returns false).</summary>
    public Memory<byte> FreeSpace
    {
        get
        {
            var buffer = _buffer ?? throw new ObjectDisposedException(nameof(ChunkAccumulator));
            return buffer.AsMemory(_filled, Math.Min(SliceSize, _chunker.Options.MaxSize - _filled));
        }
    }

    /// <summary>Records that <paramref name="count"/> bytes were written into <see cref="FreeSpace"/>.</summary>
    public void Advance(int count) => _filled += count;

    /// <summary>
    /// Takes the next complete chunk, if there is one. With <paramref name="isFinal"/> (no more input), the rest
    /// becomes chunks; call until false.
    /// </summary>
    public bool TryTakeChunk(bool isFinal, out Chunk chunk)
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(ChunkAccumulator));
        chunk = null!;
        int length;
        if (Length < _threshold)
        {
            if (!isFinal || _filled == 0)
            {
                return false;
            }
            length = _filled;
        }
        else if (!_chunker.TryFindCutPoint(buffer.AsSpan(0, _filled), isFinal, ref _search, out length))
        {
            return false;
        }

        var next = Rent();
        buffer.AsSpan(length, _filled - length).CopyTo(next);
        chunk = new Chunk(buffer, length, _offset, _pool);
        _buffer = next;
        _filled -= length;
        _offset += length;
        _search = default;
        return true;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            _pool.Return(buffer);
        }
    }

    private byte[] Rent() => _pool.Rent(_chunker.Options.MaxSize);
}
