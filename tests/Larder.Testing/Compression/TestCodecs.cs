using System.IO.Compression;
using Larder.Nix.Compression;

namespace Larder.Testing.Compression;

/// <summary>
/// Compression in every format Nix clients upload (xz, bzip2, gzip, br, zstd, none), for making test fixtures:
/// Larder itself only writes zstd (<see cref="Codecs.Compress"/>) and only decompresses the others.
/// </summary>
public static class TestCodecs
{
    /// <summary>
    /// A write-only stream that compresses into <paramref name="inner"/>; dispose it to end the frame.
    /// <paramref name="level"/> null means the codec's usual default: zstd 3, xz 6 (0..9), bzip2 9 (1..9),
    /// brotli 4 (0..11, the BCL's "optimal"), gzip 6 (0..9).
    /// </summary>
    public static Stream Compress(Stream inner, CompressionKind kind, int? level, bool leaveOpen) => kind switch
    {
        CompressionKind.Xz => new XzCompressStream(inner, level, leaveOpen),
        CompressionKind.Bzip2 => new Bzip2CompressStream(inner, level, leaveOpen),
        CompressionKind.Gzip => new GzipCompressStream(inner, level, leaveOpen),
        CompressionKind.Brotli => new BrotliStream(
            inner ?? throw new ArgumentNullException(nameof(inner)), new BrotliCompressionOptions { Quality = BrotliQuality(level) }, leaveOpen),
        _ => Codecs.Compress(inner, kind, level, leaveOpen),
    };

    // 4 is what BrotliStream's CompressionLevel.Optimal means: 11, brotli's own default, is far too slow for NARs.
    private static int BrotliQuality(int? level) =>
        level is null or (>= 0 and <= 11)
            ? level ?? 4
            : throw new ArgumentOutOfRangeException(nameof(level), level, "br compression level must be between 0 and 11");
}
