using Larder.Nix.Compression;
using Larder.Nix.Streams;
using Larder.Nix.Tests.Compression.Support;
using Larder.Testing.Compression;

namespace Larder.Nix.Tests.Compression;

/// <summary><see cref="Codecs.DecompressBounded"/>: the compressed input and the decompressed output are both bounded.</summary>
public class BoundedDecompressionTests
{
    [Theory]
    [InlineData(CompressionKind.Zstd)]
    [InlineData(CompressionKind.Xz)]
    [InlineData(CompressionKind.Gzip)]
    [InlineData(CompressionKind.None)]
    public void A_decompression_bomb_stops_at_the_limit(CompressionKind kind)
    {
        // 64 MiB of zeros compress to a few KiB.
        var bomb = new MemoryStream();
        using (var compressor = TestCodecs.Compress(bomb, kind, null, leaveOpen: true))
        {
            var zeros = new byte[TestData.MiB];
            for (var i = 0; i < 64; i++)
            {
                compressor.Write(zeros);
            }
        }

        bomb.Position = 0;
        using var limited = Codecs.DecompressBounded(bomb, kind, 10 * TestData.MiB, "the upload", "the uncompressed NAR", leaveOpen: false);
        var error = Assert.Throws<LengthLimitExceededException>(() => limited.CopyTo(Stream.Null));
        Assert.Equal(kind == CompressionKind.None ? "the upload" : "the uncompressed NAR", error.What);
    }

    [Fact]
    public void An_oversized_compressed_body_stops_at_the_limit_naming_the_body()
    {
        var random = TestData.Random(TestData.MiB);
        var compressed = new MemoryStream();
        using (var compressor = TestCodecs.Compress(compressed, CompressionKind.Zstd, null, leaveOpen: true))
        {
            compressor.Write(random);
        }
        compressed.Position = 0;

        using var limited = Codecs.DecompressBounded(compressed, CompressionKind.Zstd, TestData.MiB / 2, "the upload", "the uncompressed NAR", leaveOpen: false);

        var error = Assert.Throws<LengthLimitExceededException>(() => limited.CopyTo(Stream.Null));
        Assert.Equal("the upload", error.What);
    }

    [Theory]
    [InlineData(CompressionKind.Zstd)]
    [InlineData(CompressionKind.None)]
    public void Data_within_both_limits_decompresses_and_leaves_the_input_open_when_asked(CompressionKind kind)
    {
        var data = TestData.Random(1000);
        var compressed = new MemoryStream();
        using (var compressor = TestCodecs.Compress(compressed, kind, null, leaveOpen: true))
        {
            compressor.Write(data);
        }
        compressed.Position = 0;
        var output = new MemoryStream();

        using (var limited = Codecs.DecompressBounded(compressed, kind, 1000 + 100, "the upload", "the uncompressed NAR", leaveOpen: true))
        {
            limited.CopyTo(output);
        }

        Assert.Equal(data, output.ToArray());
        Assert.True(compressed.CanRead);
    }
}
