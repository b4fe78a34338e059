namespace Larder.Nix.Compression;

/// <summary>
/// Compressed data could not be decoded (corrupt, truncated, trailing garbage, not that format) or a codec failed.
/// <see cref="Codec"/> and <see cref="Reason"/> say which and why; the message reads <c>"zstd: truncated input …"</c>.
/// </summary>
public sealed class CompressionException : IOException
{
    public CompressionException(CompressionKind codec, string reason, Exception? innerException = null)
        : base($"{CompressionNames.ToNixName(codec)}: {reason}", innerException)
    {
        Codec = codec;
        Reason = reason;
    }

    /// <summary>The codec that failed.</summary>
    public CompressionKind Codec { get; }

    /// <summary>What went wrong, without the codec name.</summary>
    public string Reason { get; }
}
