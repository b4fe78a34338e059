using System.Buffers.Binary;
using System.Security.Cryptography;
using Larder.Nix.Chunking;

namespace Larder.Nix.Tests.Chunking;

/// <summary>Inputs and settings the chunking tests share.</summary>
internal static class ChunkingData
{
    /// <summary>1K/4K/16K: hundreds of chunks in a megabyte, so statistics hold on small inputs.</summary>
    public static readonly ChunkingOptions Small = new() { MinSize = 1024, AverageSize = 4096, MaxSize = 16384, SingleChunkThreshold = 0 };

    /// <summary>Pseudo-random bytes from a seeded <see cref="Random"/>.</summary>
    public static byte[] RandomBytes(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>SHA-256 of 0, 1, 2, … (as 4-byte little-endian) concatenated: reproducible in any language.</summary>
    public static byte[] CounterHashBytes(int length)
    {
        var bytes = new byte[length + SHA256.HashSizeInBytes];
        Span<byte> counter = stackalloc byte[4];
        for (int i = 0; i * SHA256.HashSizeInBytes < length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(counter, i);
            SHA256.HashData(counter, bytes.AsSpan(i * SHA256.HashSizeInBytes));
        }
        return bytes[..length];
    }

    /// <summary>All chunks of <paramref name="data"/> read through <paramref name="input"/>, disposed after noting them.</summary>
    public static async Task<List<(long Offset, int Length, string Hash, byte[] Bytes)>> ReadAllAsync(
        FastCdcChunker chunker, Stream input)
    {
        var chunks = new List<(long, int, string, byte[])>();
        await foreach (var chunk in chunker.ReadChunksAsync(input))
        {
            using (chunk)
            {
                chunks.Add((chunk.Offset, chunk.Length, chunk.Hash.ToString(), chunk.Data.ToArray()));
            }
        }
        return chunks;
    }

    /// <summary>Chunk lengths of <paramref name="data"/> with the span API alone.</summary>
    public static List<int> CutLengths(FastCdcChunker chunker, ReadOnlySpan<byte> data)
    {
        var lengths = new List<int>();
        while (chunker.TryFindCutPoint(data, isFinalBlock: true, out int length))
        {
            lengths.Add(length);
            data = data[length..];
        }
        return lengths;
    }
}
