using Larder.Nix.Compression;
using Larder.Nix.Tests.Compression.Support;

namespace Larder.Nix.Tests.Compression;

public sealed class ZstdFrameCompressorTests
{
    [Fact]
    public void One_context_reused_writes_for_each_input_the_bytes_a_fresh_compressing_stream_writes()
    {
        using var compressor = new ZstdFrameCompressor(3);
        var output = new byte[(1 << 21) + 4096];
        foreach (int size in new[] { 0, 1, 1000, (128 << 10) - 1, 128 << 10, 300_000, 1 << 20, 1 << 21 })
        {
            foreach (var input in new[] { TestData.Random(size, seed: size), TestData.Compressible(size, seed: size) })
            {
                int length = compressor.Compress(input, output);

                Assert.Equal(StreamCompressed(input), output.AsSpan(0, length).ToArray());
            }
        }
    }

    [Fact]
    public void A_frame_that_does_not_fit_the_output_is_an_error_naming_the_room()
    {
        using var compressor = new ZstdFrameCompressor(3);
        var input = new byte[100_000];
        new Random(1).NextBytes(input);

        var e = Assert.Throws<CompressionException>(() => compressor.Compress(input, new byte[50_000]));

        Assert.Contains("50000 bytes", e.Message, StringComparison.Ordinal);
    }

    private static byte[] StreamCompressed(byte[] input)
    {
        using var output = new MemoryStream();
        using (var stream = Codecs.Compress(output, CompressionKind.Zstd, 3, leaveOpen: true))
        {
            stream.Write(input);
        }
        return output.ToArray();
    }
}
