using System.Collections;

namespace Larder.Nix.Chunking;

/// <summary>
/// A NAR as its ordered chunks: hash and length of each, and where each starts. The concatenation of the chunks'
/// bytes, in order, is the NAR. Answers which chunk holds a byte offset (for range requests across chunk borders).
/// </summary>
public sealed class ChunkList : IReadOnlyList<ChunkEntry>
{
    private readonly ChunkEntry[] _entries;
    private readonly long[] _offsets;

    /// <summary>The chunks in order; every length must be positive.</summary>
    public ChunkList(IEnumerable<ChunkEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = entries.ToArray();
        _offsets = new long[_entries.Length];
        long offset = 0;
        for (int i = 0; i < _entries.Length; i++)
        {
            if (_entries[i].Length <= 0)
            {
                throw new ArgumentException($"chunk {i} ({_entries[i].Hash}) has length {_entries[i].Length}; chunks are never empty", nameof(entries));
            }
            _offsets[i] = offset;
            offset += _entries[i].Length;
        }
        TotalLength = offset;
    }

    /// <summary>Sum of the chunk lengths: the NAR's size.</summary>
    public long TotalLength { get; }

    public int Count => _entries.Length;

    public ChunkEntry this[int index] => _entries[index];

    /// <summary>Where chunk <paramref name="index"/> starts in the NAR.</summary>
    public long OffsetOf(int index) => _offsets[index];

    /// <summary>The index of the chunk holding byte <paramref name="offset"/> (0 ≤ offset &lt; <see cref="TotalLength"/>).</summary>
    public int IndexAt(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(offset, TotalLength);
        int found = Array.BinarySearch(_offsets, offset);
        return found >= 0 ? found : ~found - 1;
    }

    /// <summary>Chunks <paramref name="input"/> (to its end, not closing it) and lists its chunks; keeps no bytes.</summary>
    public static async Task<ChunkList> FromStreamAsync(
        Stream input, FastCdcChunker chunker, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chunker);
        var entries = new List<ChunkEntry>();
        await foreach (var chunk in chunker.ReadChunksAsync(input, cancellationToken).ConfigureAwait(false))
        {
            using (chunk)
            {
                entries.Add(chunk.Entry);
            }
        }
        return new ChunkList(entries);
    }

    public IEnumerator<ChunkEntry> GetEnumerator() => ((IEnumerable<ChunkEntry>)_entries).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
