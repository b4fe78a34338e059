using Larder.Server.Metadata;
using Larder.Server.Storage.Chunks;

namespace Larder.Server.Storage.Packs;

/// <summary>
/// New chunks gathered into one pack blob in memory, in a buffer of <c>Larder:Chunking:PackSize</c> bytes rented from
/// <see cref="ChunkBuffers.Pool"/> (the configuration guarantees that a compressed chunk of the largest size fits).
/// Chunks are appended in the order they come, so a NAR's new chunks lie next to each other and are served with one
/// ranged read. Dispose it to return the buffer.
/// </summary>
public sealed class PackBuilder : IDisposable
{
    private readonly List<ChunkRecord> _chunks = [];
    private byte[]? _buffer;
    private int _length;

    /// <param name="capacity">Pack size: the buffer's length.</param>
    public PackBuilder(int capacity)
    {
        _buffer = ChunkBuffers.Pool.Rent(capacity);
        Capacity = capacity;
    }

    /// <summary>The key the pack is stored under.</summary>
    public string Key { get; private set; } = PackKeys.Fresh();

    /// <summary>Largest pack, in stored bytes.</summary>
    public int Capacity { get; }

    /// <summary>The chunks in the pack, in order, as they will be recorded.</summary>
    public IReadOnlyList<ChunkRecord> Chunks => _chunks;

    /// <summary>The pack's bytes so far; valid until the next change.</summary>
    public ReadOnlyMemory<byte> Bytes => Buffer.AsMemory(0, _length);

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
        chunk.Stored.CopyTo(Buffer.AsMemory(_length));
        var record = chunk.ToRecord(PackKeys.Member(Key, _length)) with { PackKey = Key, PackOffset = _length };
        _length += chunk.StoredSize;
        _chunks.Add(record);
        return record;
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
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ChunkBuffers.Pool.Return(buffer);
        }
    }

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(PackBuilder));
}
