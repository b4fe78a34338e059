using System.IO.Compression;

namespace Larder.Nix.Compression;

/// <summary>
/// Entry point to the codecs: wraps a stream so that reading decompresses or writing compresses, in formats
/// byte-compatible with what Nix reads and writes. zstd, xz, bzip2 and gzip go through the system's libzstd,
/// liblzma, libbz2 and zlib; brotli through the BCL.
/// </summary>
public static class Codecs
{
    /// <summary>
    /// A read-only stream yielding the decompressed content of <paramref name="inner"/>. Bad data (corrupt, truncated,
    /// trailing garbage, empty) throws <see cref="CompressionException"/> from a read.
    /// </summary>
    /// <param name="leaveOpen">False: disposing the result disposes <paramref name="inner"/>.</param>
    public static Stream Decompress(Stream inner, CompressionKind kind, bool leaveOpen) => kind switch
    {
        CompressionKind.None => new PassThroughStream(inner ?? throw new ArgumentNullException(nameof(inner)), leaveOpen, forWriting: false),
        CompressionKind.Xz => new XzDecompressStream(inner, leaveOpen),
        CompressionKind.Zstd => new ZstdDecompressStream(inner, leaveOpen),
        CompressionKind.Bzip2 => new Bzip2DecompressStream(inner, leaveOpen),
        CompressionKind.Brotli => new BrotliDecompressStream(inner, leaveOpen),
        CompressionKind.Gzip => new GzipDecompressStream(inner, leaveOpen),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a defined CompressionKind"),
    };

    /// <summary>
    /// Like <see cref="Decompress(Stream, CompressionKind, bool)"/>, but a read that would take the output past
    /// <paramref name="maxOutputBytes"/> throws <see cref="LengthLimitExceededException"/> (a decompression bomb guard).
    /// </summary>
    public static Stream Decompress(Stream inner, CompressionKind kind, long maxOutputBytes, bool leaveOpen)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxOutputBytes);
        return new LengthLimitedStream(Decompress(inner, kind, leaveOpen), maxOutputBytes, leaveOpen: false);
    }

    /// <summary>
    /// A write-only stream that compresses into <paramref name="inner"/>. Dispose (or DisposeAsync) it to end the
    /// frame: until then the output is incomplete.
    /// </summary>
    /// <param name="level">
    /// Codec-specific level; null means the codec's usual default: zstd 3 (min..22), xz 6 (0..9), bzip2 9 (1..9),
    /// brotli 4 (0..11, the BCL's "optimal"), gzip 6 (0..9). Ignored for <see cref="CompressionKind.None"/>.
    /// </param>
    /// <param name="leaveOpen">False: disposing the result disposes <paramref name="inner"/>.</param>
    public static Stream Compress(Stream inner, CompressionKind kind, int? level, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(inner);
        return kind switch
        {
            CompressionKind.None => new PassThroughStream(inner, leaveOpen, forWriting: true),
            CompressionKind.Xz => new XzCompressStream(inner, level, leaveOpen),
            CompressionKind.Zstd => new ZstdCompressStream(inner, level, leaveOpen),
            CompressionKind.Bzip2 => new Bzip2CompressStream(inner, level, leaveOpen),
            CompressionKind.Brotli => new BrotliStream(inner, new BrotliCompressionOptions { Quality = BrotliQuality(level) }, leaveOpen),
            CompressionKind.Gzip => new GzipCompressStream(inner, level, leaveOpen),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a defined CompressionKind"),
        };
    }

    // 4 is what BrotliStream's CompressionLevel.Optimal means: 11, brotli's own default, is far too slow for NARs.
    private static int BrotliQuality(int? level) =>
        level is null or (>= 0 and <= 11)
            ? level ?? 4
            : throw new ArgumentOutOfRangeException(nameof(level), level, "br compression level must be between 0 and 11");
}
