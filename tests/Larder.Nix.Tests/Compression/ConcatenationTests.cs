using Larder.Nix.Compression;
using Larder.Nix.Tests.Compression.Support;

namespace Larder.Nix.Tests.Compression;

/// <summary>A NAR stored as several chunks is served as their concatenation: it must decode as one stream.</summary>
public class ConcatenationTests
{
    [Theory]
    [InlineData(CompressionKind.Zstd)]
    [InlineData(CompressionKind.Xz)]
    [InlineData(CompressionKind.Bzip2)]
    [InlineData(CompressionKind.Gzip)]
    public void Concatenated_frames_decode_as_their_concatenated_content(CompressionKind kind)
    {
        var parts = new[] { TestData.Compressible(300_000, seed: 1), TestData.Random(70_000, seed: 2), [], TestData.Compressible(5, seed: 3) };
        var joined = parts.SelectMany(part => TestData.Compress(kind, part)).ToArray();
        var expected = parts.SelectMany(part => part).ToArray();
        TestData.AssertSameBytes(expected, TestData.Decompress(kind, joined), $"{kind} sync");
        TestData.AssertSameBytes(expected, TestData.Decompress(kind, joined, chunk: 1), $"{kind} byte by byte");
    }

    [Theory]
    [InlineData(CompressionKind.Zstd)]
    [InlineData(CompressionKind.Xz)]
    [InlineData(CompressionKind.Bzip2)]
    [InlineData(CompressionKind.Gzip)]
    public async Task Concatenated_frames_decode_asynchronously(CompressionKind kind)
    {
        var first = TestData.Compressible(200_000, seed: 4);
        var second = TestData.Compressible(200_000, seed: 5);
        var joined = TestData.Compress(kind, first).Concat(TestData.Compress(kind, second)).ToArray();
        TestData.AssertSameBytes(first.Concat(second).ToArray(), await TestData.DecompressAsync(kind, joined, chunk: 999), kind.ToString());
    }

    [Theory]
    [InlineData("zstd", CompressionKind.Zstd)]
    [InlineData("xz", CompressionKind.Xz)]
    [InlineData("bzip2", CompressionKind.Bzip2)]
    [InlineData("gzip", CompressionKind.Gzip)]
    public async Task Tool_frames_and_ours_concatenate(string tool, CompressionKind kind)
    {
        var first = TestData.Compressible(100_000, seed: 6);
        var second = TestData.Random(100_000, seed: 7);
        var joined = (await ExternalTool.FilterAsync(tool, first, "-c")).Concat(TestData.Compress(kind, second)).ToArray();
        var expected = first.Concat(second).ToArray();
        TestData.AssertSameBytes(expected, TestData.Decompress(kind, joined), $"our {kind}");
        TestData.AssertSameBytes(expected, await ExternalTool.FilterAsync(tool, joined, "-d", "-c"), $"{tool} -d");
    }

    [Fact]
    public void Xz_stream_padding_between_streams_is_accepted()
    {
        var first = TestData.Compressible(1000, seed: 8);
        var second = TestData.Compressible(1000, seed: 9);
        var joined = TestData.Compress(CompressionKind.Xz, first).Concat(new byte[8]).Concat(TestData.Compress(CompressionKind.Xz, second)).ToArray();
        Assert.Equal(first.Concat(second).ToArray(), TestData.Decompress(CompressionKind.Xz, joined));
    }

    [Fact]
    public async Task Zstd_skippable_frames_are_skipped()
    {
        var data = TestData.Compressible(10_000);
        var skippable = new byte[] { 0x50, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 1, 2, 3 };
        var joined = skippable.Concat(TestData.Compress(CompressionKind.Zstd, data)).Concat(skippable).ToArray();
        Assert.Equal(data, TestData.Decompress(CompressionKind.Zstd, joined));
        Assert.Equal(data, await ExternalTool.FilterAsync("zstd", joined, "-d", "-c"));
    }
}
