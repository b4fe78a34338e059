using Larder.Server.Metadata;
using Larder.Server.Storage.Chunks;

namespace Larder.Server.Storage.Packs;

/// <summary>
/// New chunks gathered into one pack blob in memory, of at most <c>Larder:Chunking:PackSize</c> bytes (the configuration
/// guarantees that a compressed chunk of the largest size fits), in a buffer rented from <see cref="ChunkBuffers.Pool"/>
/// that grows with what the pack holds: doubling up to <see cref="DoublingLimit"/>, then the whole pack size at once (so
/// a large upload leaves the pool 2 MiB of smaller buffers, not a pack's worth that would crowd out the pack's own
/// buffer). A buffer of the whole pack size per pack made each small push rent
/// 16 MiB: concurrent ones outgrew what the pool keeps, and the buffers it let go of set off
/// <see cref="Memory.IdleMemoryRelease"/>'s full collections (half the server's CPU in a push of 4 KiB paths).
/// Chunks are appended in the order they come, so a NAR's new chunks lie next to each other and are served with one
/// ranged read. Dispose it to return the buffer.
/// </summary>
public sealed class PackBuilder : IDisposable
{
    private readonly List<ChunkRecord> _chunks = [];

    /// <summary>The first buffer's length: a small NAR's pack, at most one doubling away from the inline threshold.</summary>
    private const int FirstBufferBytes = 32 << 10;

    /// <summary>Past this length the buffer grows to <see cref="Capacity"/> in one step.</summary>
    private const int DoublingLimit = 1 << 20;

    private byte[]? _buffer;
    private int _length;
    private bool _disposed;

    /// <param name="capacity">Pack size: the most bytes it holds.</param>
    public PackBuilder(int capacity)
    {
        Capacity = capacity;
    }

    /// <summary>The key the pack is stored under.</summary>
    public string Key { get; private set; } = PackKeys.Fresh();

    /// <summary>Largest pack, in stored bytes.</summary>
    public int Capacity { get; }

    /// <summary>The chunks in the pack, in order, as they will be recorded.</summary>
    public IReadOnlyList<ChunkRecord> Chunks => _chunks;

    /// <summary>The pack's bytes so far; valid until the next change.</summary>
    public ReadOnlyMemory<byte> Bytes
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _buffer.AsMemory(0, _length);
        }
    }

    /// <summary>Whether <paramref name="chunk"/> still fits.</summary>
    public bool Fits(CompressedChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        return _length + chunk.StoredSize <= Capacity;
    }

    /// <summary>Appends <paramref name="chunk"/>'s stored bytes (it must fit); its record names the pack and offset.</summary>
    public ChunkRecord Add(CompressedChunk chunk)
    {
        if (!Fits(chunk))
        {
            throw new InvalidOperationException($"chunk {chunk.Hash} ({chunk.StoredSize} bytes) does not fit the pack");
        }
        chunk.Stored.CopyTo(Grow(_length + chunk.StoredSize).AsMemory(_length));
        var record = chunk.ToRecord(PackKeys.Member(Key, _length)) with { PackKey = Key, PackOffset = _length };
        _length += chunk.StoredSize;
        _chunks.Add(record);
        return record;
    }

    /// <summary>Whether <paramref name="storedBytes"/> more still fit.</summary>
    public bool Fits(int storedBytes) => _length + storedBytes <= Capacity;

    /// <summary>
    /// Appends all of <paramref name="other"/> (it must fit): its bytes, and its chunks' records moved to this pack's key
    /// and offsets. Answers the position in <see cref="Chunks"/> of the first of them.
    /// </summary>
    public int Append(PackBuilder other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var bytes = other.Bytes;
        if (!Fits(bytes.Length))
        {
            throw new InvalidOperationException($"a pack of {bytes.Length} bytes does not fit the pack");
        }
        var first = _chunks.Count;
        var start = _length;
        bytes.CopyTo(Grow(_length + bytes.Length).AsMemory(_length));
        _length += bytes.Length;
        foreach (var chunk in other.Chunks)
        {
            var offset = start + chunk.PackOffset;
            _chunks.Add(chunk with { StorageKey = PackKeys.Member(Key, offset), PackKey = Key, PackOffset = offset });
        }
        return first;
    }

    /// <summary>Empties the pack and gives it a fresh key, for the next one.</summary>
    public void Reset()
    {
        _chunks.Clear();
        _length = 0;
        Key = PackKeys.Fresh();
    }

    public void Dispose()
    {
        _disposed = true;
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ChunkBuffers.Pool.Return(buffer);
        }
    }

    /// <summary>
    /// The buffer, first replaced by a longer one (twice the old, or <see cref="Capacity"/> past <see cref="DoublingLimit"/>)
    /// with the bytes so far when shorter than <paramref name="length"/>.
    /// </summary>
    private byte[] Grow(int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_buffer is { } current && current.Length >= length)
        {
            return current;
        }
        var grown = ChunkBuffers.Pool.Rent(
            length > DoublingLimit ? Capacity : Math.Min(Capacity, Math.Max(length, Math.Max(FirstBufferBytes, 2 * (_buffer?.Length ?? 0)))));
        if (_buffer is { } old)
        {
            old.AsSpan(0, _length).CopyTo(grown);
            ChunkBuffers.Pool.Return(old);
        }
        _buffer = grown;
        return grown;
    }
}
