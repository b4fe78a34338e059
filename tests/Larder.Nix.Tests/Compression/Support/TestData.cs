using Larder.Nix.Compression;
using Larder.Testing.Compression;

namespace Larder.Nix.Tests.Compression.Support;

/// <summary>Deterministic payloads and helpers that push bytes through codecs in chosen chunk sizes.</summary>
internal static class TestData
{
    public const int MiB = 1024 * 1024;

    /// <summary>Incompressible bytes, the same for the same seed.</summary>
    public static byte[] Random(int size, int seed = 1)
    {
        var data = new byte[size];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>Text-like, highly compressible bytes (like most NARs).</summary>
    public static byte[] Compressible(int size, int seed = 1)
    {
        var words = new[] { "nix", "store", "/nix/store/", "lib", "bin", "share", "\n", " ", "derivation", "0123456789" };
        var random = new Random(seed);
        var data = new byte[size];
        var at = 0;
        while (at < size)
        {
            var word = words[random.Next(words.Length)];
            for (var i = 0; i < word.Length && at < size; i++)
            {
                data[at++] = (byte)word[i];
            }
        }

        return data;
    }

    public static byte[] Make(string kind, int size) => kind switch
    {
        "random" => Random(size),
        "compressible" => Compressible(size),
        _ => throw new ArgumentException($"unknown data kind {kind}", nameof(kind)),
    };

    /// <summary>Compresses with our codec, writing <paramref name="chunk"/> bytes per call (0: one call).</summary>
    public static byte[] Compress(CompressionKind kind, byte[] data, int chunk = 0, int? level = null)
    {
        var output = new MemoryStream();
        using (var compressor = TestCodecs.Compress(output, kind, level, leaveOpen: true))
        {
            foreach (var piece in Pieces(data, chunk))
            {
                compressor.Write(piece.Span);
            }
        }

        return output.ToArray();
    }

    public static async Task<byte[]> CompressAsync(CompressionKind kind, byte[] data, int chunk = 0)
    {
        var output = new MemoryStream();
        await using (var compressor = TestCodecs.Compress(output, kind, null, leaveOpen: true))
        {
            foreach (var piece in Pieces(data, chunk))
            {
                await compressor.WriteAsync(piece);
            }
        }

        return output.ToArray();
    }

    /// <summary>Decompresses with our codec, reading <paramref name="chunk"/> bytes per call (0: 64 KiB).</summary>
    public static byte[] Decompress(CompressionKind kind, byte[] compressed, int chunk = 0)
    {
        using var decompressor = Codecs.Decompress(new MemoryStream(compressed), kind, leaveOpen: false);
        var output = new MemoryStream();
        var buffer = new byte[chunk == 0 ? 65536 : chunk];
        int read;
        while ((read = decompressor.Read(buffer)) > 0)
        {
            output.Write(buffer, 0, read);
        }

        return output.ToArray();
    }

    public static async Task<byte[]> DecompressAsync(CompressionKind kind, byte[] compressed, int chunk = 0)
    {
        await using var decompressor = Codecs.Decompress(new MemoryStream(compressed), kind, leaveOpen: false);
        var output = new MemoryStream();
        var buffer = new byte[chunk == 0 ? 65536 : chunk];
        int read;
        while ((read = await decompressor.ReadAsync(buffer)) > 0)
        {
            output.Write(buffer, 0, read);
        }

        return output.ToArray();
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Pieces(byte[] data, int chunk)
    {
        if (chunk == 0)
        {
            yield return data;
            yield break;
        }

        for (var at = 0; at < data.Length; at += chunk)
        {
            yield return data.AsMemory(at, Math.Min(chunk, data.Length - at));
        }
    }

    /// <summary>Asserts equality without dumping megabytes into the failure message.</summary>
    public static void AssertSameBytes(byte[] expected, byte[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} bytes, got {actual.Length}");
        var firstDifference = expected.AsSpan().CommonPrefixLength(actual);
        Assert.True(firstDifference == expected.Length, $"{what}: bytes differ at offset {firstDifference}");
    }
}
