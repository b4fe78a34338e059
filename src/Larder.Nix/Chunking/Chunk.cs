using System.Buffers;
using Larder.Nix.Hashing;

namespace Larder.Nix.Chunking;

/// <summary>
/// One chunk of an input: its bytes in a buffer rented from <see cref="ArrayPool{T}.Shared"/>, its place in the input,
/// and its identity (SHA-256 of its bytes, computed when first asked for: a consumer that only needs the cut points
/// of most chunks, or hashes them on other threads, does not pay for it on the reading thread). Whoever receives a
/// chunk owns it: dispose it to return the buffer.
/// </summary>
public sealed class Chunk : IDisposable
{
    private readonly ArrayPool<byte> _pool;
    private byte[]? _buffer;
    private NixHash? _hash;

    internal Chunk(byte[] buffer, int length, long offset, ArrayPool<byte> pool)
    {
        _pool = pool;
        _buffer = buffer;
        Length = length;
        Offset = offset;
    }

    /// <summary>Where the chunk starts in the input.</summary>
    public long Offset { get; }

    /// <summary>Length in bytes.</summary>
    public int Length { get; }

    /// <summary>
    /// SHA-256 of the bytes: the chunk's identity (<c>sha256:&lt;nix32&gt;</c> as text). Computed on first use, which
    /// must come before <see cref="Dispose"/>; a chunk is used by one thread at a time.
    /// </summary>
    public NixHash Hash => _hash ??= NixHash.Compute(HashKind.Sha256, Data.Span);

    /// <summary>Hash and length, without the bytes: one entry of a <see cref="ChunkList"/>.</summary>
    public ChunkEntry Entry => new(Hash, Length);

    /// <summary>The bytes; valid until the chunk is disposed.</summary>
    public ReadOnlyMemory<byte> Data =>
        _buffer is { } buffer ? buffer.AsMemory(0, Length) : throw new ObjectDisposedException(nameof(Chunk));

    /// <summary>Returns the buffer to the pool; <see cref="Data"/> is unusable afterwards.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            _pool.Return(buffer);
        }
    }
}
