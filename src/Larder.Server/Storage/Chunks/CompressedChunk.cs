using Larder.Nix.Compression;
using Larder.Nix.Hashing;
using Microsoft.Extensions.ObjectPool;

namespace Larder.Server.Storage.Chunks;

/// <summary>
/// A chunk compressed as Larder stores it (zstd level 3), either in a buffer of its own rented from
/// <see cref="ChunkBuffers.Pool"/> (<see cref="Compress"/>; dispose it to return the buffer) or in a part of a buffer
/// its caller owns (<see cref="CompressInto"/>; valid as long as the caller leaves that part alone). A chunk is at most
/// <c>Larder:Chunking:MaxSize</c> bytes, so holding one in memory is bounded.
/// </summary>
public sealed class CompressedChunk : IDisposable
{
    /// <summary>The zstd level of every stored chunk (the same everywhere, so equal chunks compress to equal bytes).</summary>
    public const int ZstdLevel = 3;

    private byte[]? _buffer;
    private readonly int _offset;
    private readonly bool _ownsBuffer;

    private CompressedChunk(byte[] buffer, int offset, bool ownsBuffer, int storedSize, NixHash hash, long size)
    {
        _buffer = buffer;
        _offset = offset;
        _ownsBuffer = ownsBuffer;
        StoredSize = storedSize;
        Hash = hash;
        Size = size;
        StoredHash = NixHash.Compute(HashKind.Sha256, Stored.Span);
    }

    /// <summary>SHA-256 of the uncompressed bytes: the chunk's identity.</summary>
    public NixHash Hash { get; }

    /// <summary>Uncompressed size.</summary>
    public long Size { get; }

    /// <summary>SHA-256 of the compressed bytes.</summary>
    public NixHash StoredHash { get; }

    /// <summary>Compressed size.</summary>
    public int StoredSize { get; }

    /// <summary>The compressed bytes; valid until disposed.</summary>
    public ReadOnlyMemory<byte> Stored =>
        _buffer is { } buffer ? buffer.AsMemory(_offset, StoredSize) : throw new ObjectDisposedException(nameof(CompressedChunk));

    /// <summary>
    /// Room the compressed form of <paramref name="length"/> bytes may need: zstd's worst case (ZSTD_COMPRESSBOUND) is
    /// the input plus 1/256 of it plus a frame header; this leaves more.
    /// </summary>
    public static int MaxStoredSize(int length) => length + (length >> 7) + 1024;

    /// <summary>Compresses <paramref name="data"/>, whose SHA-256 is <paramref name="hash"/> (the caller computed it).</summary>
    public static CompressedChunk Compress(ReadOnlySpan<byte> data, NixHash hash)
    {
        var buffer = ChunkBuffers.Pool.Rent(MaxStoredSize(data.Length));
        try
        {
            return new CompressedChunk(buffer, 0, ownsBuffer: true, CompressTo(data, buffer, 0), hash, data.Length);
        }
        catch
        {
            ChunkBuffers.Pool.Return(buffer);
            throw;
        }
    }

    /// <summary>
    /// Compresses <paramref name="data"/> into <paramref name="buffer"/> from <paramref name="offset"/>, which must leave
    /// <see cref="MaxStoredSize"/> bytes; the chunk borrows that part of the buffer and disposing it returns nothing.
    /// </summary>
    public static CompressedChunk CompressInto(ReadOnlySpan<byte> data, NixHash hash, byte[] buffer, int offset)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (buffer.Length - offset < MaxStoredSize(data.Length))
        {
            throw new ArgumentException($"{buffer.Length - offset} bytes left at {offset}; a chunk of {data.Length} bytes may need {MaxStoredSize(data.Length)}", nameof(offset));
        }
        return new CompressedChunk(buffer, offset, ownsBuffer: false, CompressTo(data, buffer, offset), hash, data.Length);
    }

    private static int CompressTo(ReadOnlySpan<byte> data, byte[] buffer, int offset)
    {
        var compressor = Compressors.Get();
        int length;
        try
        {
            length = compressor.Compress(data, buffer.AsSpan(offset, MaxStoredSize(data.Length)));
        }
        catch
        {
            compressor.Dispose();
            throw;
        }
        Compressors.Return(compressor);
        return length;
    }

    // A few zstd contexts reused by every chunk compression (one per chunk was a few MiB of native memory each time).
    private static readonly ObjectPool<ZstdFrameCompressor> Compressors =
        new DefaultObjectPoolProvider { MaximumRetained = Math.Max(2, Environment.ProcessorCount) }.Create(new CompressorPolicy());

    private sealed class CompressorPolicy : PooledObjectPolicy<ZstdFrameCompressor>
    {
        public override ZstdFrameCompressor Create() => new(ZstdLevel);

        public override bool Return(ZstdFrameCompressor obj) => true;
    }

    /// <summary>The chunk's metadata once stored under <paramref name="storageKey"/>.</summary>
    public Metadata.ChunkRecord ToRecord(string storageKey) =>
        new(Hash.ToNix32String(), storageKey, Size, StoredHash.ToNix32String(), StoredSize, "zstd");

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer && _ownsBuffer)
        {
            ChunkBuffers.Pool.Return(buffer);
        }
    }
}
