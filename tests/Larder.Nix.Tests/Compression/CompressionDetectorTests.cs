using Larder.Nix.Compression;
using Larder.Nix.Tests.Compression.Support;

namespace Larder.Nix.Tests.Compression;

public class CompressionDetectorTests
{
    [Theory]
    [InlineData(CompressionKind.Zstd)]
    [InlineData(CompressionKind.Xz)]
    [InlineData(CompressionKind.Bzip2)]
    [InlineData(CompressionKind.Gzip)]
    public void Our_output_is_recognised(CompressionKind kind)
    {
        foreach (var data in new[] { Array.Empty<byte>(), TestData.Compressible(100_000) })
        {
            var compressed = TestData.Compress(kind, data);
            Assert.True(CompressionDetector.TryDetect(compressed.AsSpan(0, Math.Min(compressed.Length, CompressionDetector.PrefixLength)), out var detected));
            Assert.Equal(kind, detected);
        }
    }

    [Theory]
    [InlineData("zstd", CompressionKind.Zstd)]
    [InlineData("xz", CompressionKind.Xz)]
    [InlineData("bzip2", CompressionKind.Bzip2)]
    [InlineData("gzip", CompressionKind.Gzip)]
    public async Task Tool_output_is_recognised(string tool, CompressionKind kind)
    {
        var compressed = await ExternalTool.FilterAsync(tool, TestData.Compressible(10_000), "-c");
        Assert.True(CompressionDetector.TryDetect(compressed, out var detected));
        Assert.Equal(kind, detected);
    }

    [Fact]
    public void An_uncompressed_nar_is_recognised_as_none()
    {
        byte[] nar = [13, 0, 0, 0, 0, 0, 0, 0, .. "nix-archive-1"u8, 0, 0, 0];
        Assert.True(CompressionDetector.TryDetect(nar, out var detected));
        Assert.Equal(CompressionKind.None, detected);
    }

    [Fact]
    public void A_zstd_skippable_frame_counts_as_zstd()
    {
        Assert.True(CompressionDetector.TryDetect([0x5E, 0x2A, 0x4D, 0x18, 0, 0, 0, 0], out var detected));
        Assert.Equal(CompressionKind.Zstd, detected);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x28, 0xB5, 0x2F })]
    [InlineData(new byte[] { (byte)'B', (byte)'Z', (byte)'h', (byte)'9' })]
    [InlineData(new byte[] { (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o' })]
    public void Short_or_unknown_prefixes_are_not_recognised(byte[] prefix) =>
        Assert.False(CompressionDetector.TryDetect(prefix, out _));

    [Fact]
    public void Brotli_has_no_magic_number() =>
        Assert.False(CompressionDetector.TryDetect(TestData.Compress(CompressionKind.Brotli, TestData.Random(1000)), out _));
}
