using Larder.Nix.Compression;
using Larder.Nix.Tests.Compression.Support;

namespace Larder.Nix.Tests.Compression;

public class LengthLimitedStreamTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(10, 10)]
    [InlineData(100, 10)]
    [InlineData(TestData.MiB, TestData.MiB)]
    public void Data_within_the_limit_reads_fully(int limit, int size)
    {
        var data = TestData.Random(size);
        using var limited = new LengthLimitedStream(new MemoryStream(data), limit);
        var output = new MemoryStream();
        limited.CopyTo(output);
        Assert.Equal(data, output.ToArray());
        Assert.Equal(size, limited.BytesRead);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(10, 11)]
    [InlineData(TestData.MiB - 1, TestData.MiB)]
    public async Task One_byte_over_the_limit_throws(int limit, int size)
    {
        using var limited = new LengthLimitedStream(new MemoryStream(TestData.Random(size)), limit);
        var error = await Assert.ThrowsAsync<LengthLimitExceededException>(() => limited.CopyToAsync(Stream.Null));
        Assert.Equal(limit, error.Limit);
        Assert.Contains(limit.ToString(), error.Message);
    }

    [Theory]
    [InlineData(CompressionKind.Zstd)]
    [InlineData(CompressionKind.Xz)]
    [InlineData(CompressionKind.Gzip)]
    [InlineData(CompressionKind.None)]
    public void A_decompression_bomb_stops_at_the_limit(CompressionKind kind)
    {
        // 64 MiB of zeros compress to a few KiB.
        var bomb = new MemoryStream();
        using (var compressor = Codecs.Compress(bomb, kind, null, leaveOpen: true))
        {
            var zeros = new byte[TestData.MiB];
            for (var i = 0; i < 64; i++)
            {
                compressor.Write(zeros);
            }
        }

        bomb.Position = 0;
        using var limited = Codecs.Decompress(bomb, kind, maxOutputBytes: 10 * TestData.MiB, leaveOpen: false);
        Assert.Throws<LengthLimitExceededException>(() => limited.CopyTo(Stream.Null));
    }

    [Fact]
    public void A_huge_limit_does_not_overflow()
    {
        using var limited = new LengthLimitedStream(new MemoryStream([1, 2, 3]), long.MaxValue);
        Assert.Equal(3, limited.Read(new byte[10]));
    }

    [Fact]
    public void Negative_limits_are_rejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LengthLimitedStream(new MemoryStream(), -1));
}
