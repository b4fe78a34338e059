using Larder.Nix.Streams;

namespace Larder.Nix.Compression;

/// <summary>
/// Entry point to the codecs: wraps a stream so that reading decompresses (every format Nix writes) or writing
/// compresses (zstd), byte-compatible with Nix. zstd, xz, bzip2 and gzip go through the system's libzstd, liblzma,
/// libbz2 and zlib; brotli through the BCL.
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
    /// Decompresses untrusted input with both ends bounded (the guard against oversized bodies and decompression
    /// bombs): at most <paramref name="maxBytes"/> bytes are read from <paramref name="compressed"/> and at most
    /// <paramref name="maxBytes"/> decompressed bytes come out. Past either limit a read throws
    /// <see cref="LengthLimitExceededException"/> naming <paramref name="what"/> or <paramref name="decompressedWhat"/>;
    /// bad data throws <see cref="CompressionException"/>. <see cref="CompressionKind.None"/> is bounded once.
    /// </summary>
    /// <param name="leaveOpen">False: disposing the result disposes <paramref name="compressed"/>.</param>
    public static Stream DecompressBounded(
        Stream compressed, CompressionKind kind, long maxBytes, string what, string decompressedWhat, bool leaveOpen)
    {
        var body = new BoundedReadStream(compressed, maxBytes, what, leaveOpen);
        return kind == CompressionKind.None
            ? body
            : new BoundedReadStream(Decompress(body, kind, leaveOpen: false), maxBytes, decompressedWhat, leaveOpen: false);
    }

    /// <summary>
    /// A write-only stream that compresses into <paramref name="inner"/> with zstd (what Larder stores) or not at all.
    /// Dispose (or DisposeAsync) it to end the frame: until then the output is incomplete. The other formats are only
    /// ever decompressed: Nix clients upload them, Larder never writes them.
    /// </summary>
    /// <param name="level">zstd level (min..22); null means 3, zstd's default. Ignored for <see cref="CompressionKind.None"/>.</param>
    /// <param name="leaveOpen">False: disposing the result disposes <paramref name="inner"/>.</param>
    public static Stream Compress(Stream inner, CompressionKind kind, int? level, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(inner);
        return kind switch
        {
            CompressionKind.None => new PassThroughStream(inner, leaveOpen, forWriting: true),
            CompressionKind.Zstd => new ZstdCompressStream(inner, level, leaveOpen),
            _ => throw new ArgumentOutOfRangeException(
                nameof(kind), kind, $"Larder compresses only with zstd; {CompressionNames.ToNixName(kind)} is decompressed only"),
        };
    }
}
