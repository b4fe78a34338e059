using Larder.Nix.Compression;
using Larder.Nix.Tests.Compression.Support;
using Larder.Testing.Compression;

namespace Larder.Nix.Tests.Compression;

/// <summary>Codecs stream: their managed allocations (pooled buffers aside) do not grow with the data.</summary>
public class StreamingMemoryTests
{
    private const int Size = 8 * TestData.MiB;

    [Theory]
    [InlineData(CompressionKind.Zstd)]
    [InlineData(CompressionKind.Xz)]
    [InlineData(CompressionKind.Bzip2)]
    [InlineData(CompressionKind.Gzip)]
    [InlineData(CompressionKind.Brotli)]
    public void Streaming_8_MiB_allocates_less_than_64_KiB(CompressionKind kind)
    {
        var chunk = TestData.Compressible(TestData.MiB);
        var compressed = new MemoryStream(capacity: Size);
        var readBuffer = new byte[TestData.MiB];
        TestData.Decompress(kind, TestData.Compress(kind, chunk, level: 1)); // warm up pools and JIT

        var before = GC.GetAllocatedBytesForCurrentThread();
        using (var compressor = TestCodecs.Compress(compressed, kind, level: 1, leaveOpen: true))
        {
            for (var written = 0; written < Size; written += chunk.Length)
            {
                compressor.Write(chunk);
            }
        }

        compressed.Position = 0;
        long total = 0;
        using (var decompressor = Codecs.Decompress(compressed, kind, leaveOpen: true))
        {
            int read;
            while ((read = decompressor.Read(readBuffer)) > 0)
            {
                total += read;
            }
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(Size, total);
        Assert.True(allocated < 64 * 1024, $"{kind}: streaming {Size} bytes allocated {allocated} managed bytes");
    }
}
