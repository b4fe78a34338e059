using System.Buffers.Binary;
using Larder.Nix.Hashing;

namespace Larder.Cli.Client;

/// <summary>
/// The body of <c>POST …/chunks/packs</c>, built in memory: for each chunk its SHA-256 (32 bytes), the length of its
/// zstd frame (4 bytes, big-endian), then the frame.
/// </summary>
public sealed class ChunkPackBody
{
    /// <summary>The bytes in front of each frame.</summary>
    public const int HeaderSize = 36;

    private readonly MemoryStream _bytes = new();

    /// <summary>Chunks added.</summary>
    public int Count { get; private set; }

    /// <summary>Body length so far.</summary>
    public long Length => _bytes.Length;

    /// <summary>Uncompressed bytes of the chunks added.</summary>
    public long ChunkBytes { get; private set; }

    /// <summary>The body; valid until the next <see cref="Add"/>.</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes.GetBuffer().AsMemory(0, (int)_bytes.Length);

    /// <summary>Appends the chunk with <paramref name="hash"/>, <paramref name="length"/> bytes, as its zstd <paramref name="frame"/>.</summary>
    public void Add(NixHash hash, int length, ReadOnlySpan<byte> frame)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        if (hash.Kind != HashKind.Sha256)
        {
            throw new ArgumentException($"{hash} is not a SHA-256", nameof(hash));
        }
        hash.Bytes.Span.CopyTo(header);
        BinaryPrimitives.WriteInt32BigEndian(header[32..], frame.Length);
        _bytes.Write(header);
        _bytes.Write(frame);
        Count++;
        ChunkBytes += length;
    }
}
