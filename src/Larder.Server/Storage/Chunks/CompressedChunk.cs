using System.Buffers;
using Larder.Nix.Compression;
using Larder.Nix.Hashing;

namespace Larder.Server.Storage.Chunks;

/// <summary>
/// A chunk compressed as Larder stores it (zstd level 3), in a buffer rented from <see cref="ArrayPool{T}.Shared"/>:
/// a chunk is at most <c>Larder:Chunking:MaxSize</c> bytes, so holding one in memory is bounded. Dispose it to return
/// the buffer.
/// </summary>
public sealed class CompressedChunk : IDisposable
{
    /// <summary>The zstd level of every stored chunk (the same everywhere, so equal chunks compress to equal bytes).</summary>
    public const int ZstdLevel = 3;

    private byte[]? _buffer;

    private CompressedChunk(byte[] buffer, int storedSize, NixHash hash, long size)
    {
        _buffer = buffer;
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
        _buffer is { } buffer ? buffer.AsMemory(0, StoredSize) : throw new ObjectDisposedException(nameof(CompressedChunk));

    /// <summary>Compresses <paramref name="data"/>, whose SHA-256 is <paramref name="hash"/> (the caller computed it).</summary>
    public static CompressedChunk Compress(ReadOnlySpan<byte> data, NixHash hash)
    {
        // zstd's worst case (ZSTD_COMPRESSBOUND) is the input plus 1/256 of it plus a frame header.
        var buffer = ArrayPool<byte>.Shared.Rent(data.Length + (data.Length >> 7) + 1024);
        try
        {
            using var output = new MemoryStream(buffer, 0, buffer.Length, writable: true);
            using (var compressor = Codecs.Compress(output, CompressionKind.Zstd, ZstdLevel, leaveOpen: true))
            {
                compressor.Write(data);
            }
            return new CompressedChunk(buffer, (int)output.Position, hash, data.Length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>The chunk's metadata once stored under <paramref name="storageKey"/>.</summary>
    public Metadata.ChunkRecord ToRecord(string storageKey) =>
        new(Hash.ToNix32String(), storageKey, Size, StoredHash.ToNix32String(), StoredSize, "zstd");

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
