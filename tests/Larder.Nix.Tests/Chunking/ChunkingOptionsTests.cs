using Larder.Nix.Chunking;

namespace Larder.Nix.Tests.Chunking;

public class ChunkingOptionsTests
{
    [Fact]
    public void Defaults_are_64K_256K_1M_with_a_64K_single_chunk_threshold()
    {
        var options = ChunkingOptions.Default;
        Assert.Equal((64 * 1024, 256 * 1024, 1024 * 1024, 64 * 1024),
            (options.MinSize, options.AverageSize, options.MaxSize, options.SingleChunkThreshold));
        Assert.Equal("64K/256K/1024K", options.ToString());
        Assert.Same(options, new FastCdcChunker().Options);
    }

    [Theory]
    [InlineData(63, 4096, 16384, 0, "MinSize", "below 64")]
    [InlineData(-1, 4096, 16384, 0, "MinSize", "below 64")]
    [InlineData(1024, 3000, 16384, 0, "AverageSize", "power of two")]
    [InlineData(4096, 4096, 16384, 0, "AverageSize", "above MinSize")]
    [InlineData(8192, 4096, 16384, 0, "AverageSize", "above MinSize")]
    [InlineData(1024, 4096, 4096, 0, "MaxSize", "above AverageSize")]
    [InlineData(1024, 4096, 300 * 1024 * 1024, 0, "MaxSize", "at most 268435456")]
    [InlineData(1024, 4096, 16384, -1, "SingleChunkThreshold", "between 0 and MaxSize")]
    [InlineData(1024, 4096, 16384, 16385, "SingleChunkThreshold", "between 0 and MaxSize")]
    public void Bad_settings_are_rejected_naming_the_setting(int min, int average, int max, int threshold, string setting, string reason)
    {
        var options = new ChunkingOptions { MinSize = min, AverageSize = average, MaxSize = max, SingleChunkThreshold = threshold };
        var error = Assert.Throws<ArgumentException>(() => new FastCdcChunker(options));
        Assert.Equal(setting, error.ParamName);
        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData(64, 128, 129, 129)]
    [InlineData(512 * 1024, 2 * 1024 * 1024, 8 * 1024 * 1024, 0)]
    [InlineData(1024, 4096, ChunkingOptions.LargestMaxSize, 4096)]
    public void Extreme_but_valid_settings_are_accepted(int min, int average, int max, int threshold)
    {
        var options = new ChunkingOptions { MinSize = min, AverageSize = average, MaxSize = max, SingleChunkThreshold = threshold };
        Assert.Equal(options, new FastCdcChunker(options).Options);
    }
}
