using Larder.Nix.Compression;

namespace Larder.Cli.Client;

/// <summary>A chunk as it travels to the server: zstd-compressed, in memory (a chunk is at most the server's MaxSize).</summary>
public static class ChunkBody
{
    private const int ZstdLevel = 3;

    /// <summary>The zstd frame of <paramref name="data"/>.</summary>
    public static ReadOnlyMemory<byte> Compress(ReadOnlySpan<byte> data)
    {
        var output = new MemoryStream(data.Length / 2 + 1024);
        using (var compressor = Codecs.Compress(output, CompressionKind.Zstd, ZstdLevel, leaveOpen: true))
        {
            compressor.Write(data);
        }
        return output.GetBuffer().AsMemory(0, (int)output.Length);
    }
}
