using Larder.Nix.Compression;
using Larder.Nix.Tests.Compression.Support;

namespace Larder.Nix.Tests.Compression;

/// <summary>Our codecs against the reference command-line tools, in both directions.</summary>
public class CliInteropTests
{
    public static TheoryData<string, CompressionKind, string> Tools() => new()
    {
        { "zstd", CompressionKind.Zstd, "random" },
        { "zstd", CompressionKind.Zstd, "compressible" },
        { "xz", CompressionKind.Xz, "random" },
        { "xz", CompressionKind.Xz, "compressible" },
        { "bzip2", CompressionKind.Bzip2, "random" },
        { "bzip2", CompressionKind.Bzip2, "compressible" },
        { "gzip", CompressionKind.Gzip, "random" },
        { "gzip", CompressionKind.Gzip, "compressible" },
        { "brotli", CompressionKind.Brotli, "random" },
        { "brotli", CompressionKind.Brotli, "compressible" },
    };

    [Theory]
    [MemberData(nameof(Tools))]
    public async Task The_tool_decompresses_what_we_compress(string tool, CompressionKind kind, string content)
    {
        var data = TestData.Make(content, TestData.MiB + 777);
        var ours = TestData.Compress(kind, data, chunk: 10_007);
        var decoded = await ExternalTool.FilterAsync(tool, ours, "-d", "-c");
        TestData.AssertSameBytes(data, decoded, $"{tool} -d of our {kind}");
    }

    [Theory]
    [MemberData(nameof(Tools))]
    public async Task We_decompress_what_the_tool_compresses(string tool, CompressionKind kind, string content)
    {
        var data = TestData.Make(content, TestData.MiB + 777);
        var theirs = await ExternalTool.FilterAsync(tool, data, "-c");
        TestData.AssertSameBytes(data, TestData.Decompress(kind, theirs, chunk: 5003), $"our {kind} of {tool} output");
    }

    [Theory]
    [InlineData("zstd", CompressionKind.Zstd)]
    [InlineData("xz", CompressionKind.Xz)]
    [InlineData("bzip2", CompressionKind.Bzip2)]
    [InlineData("gzip", CompressionKind.Gzip)]
    [InlineData("brotli", CompressionKind.Brotli)]
    public async Task Empty_data_round_trips_through_the_tool(string tool, CompressionKind kind)
    {
        Assert.Empty(await ExternalTool.FilterAsync(tool, TestData.Compress(kind, []), "-d", "-c"));
        Assert.Empty(TestData.Decompress(kind, await ExternalTool.FilterAsync(tool, [], "-c")));
    }

    [Fact]
    public async Task Our_xz_uses_a_crc64_check_like_the_xz_tool()
    {
        var ours = TestData.Compress(CompressionKind.Xz, TestData.Compressible(1000));
        var theirs = await ExternalTool.FilterAsync("xz", TestData.Compressible(1000), "-c");

        // Stream flags (bytes 6-7 after the 6-byte magic): 0x00 then the check type, 0x04 for CRC64.
        Assert.Equal(theirs[6..8], ours[6..8]);
        Assert.Equal(0x04, ours[7]);
    }

    [Fact]
    public async Task Our_zstd_frames_carry_a_checksum_the_tool_verifies()
    {
        var ours = TestData.Compress(CompressionKind.Zstd, TestData.Compressible(100_000));

        // Frame header descriptor: bit 2 is Content_Checksum_flag.
        Assert.NotEqual(0, ours[4] & 0x04);
        ours[^2] ^= 0xFF;
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ExternalTool.FilterAsync("zstd", ours, "-d", "-c"));
        Assert.Contains("exited with", error.Message);
    }
}
