namespace Larder.Nix.Compression;

/// <summary>The compression methods Nix binary caches use for NAR files.</summary>
public enum CompressionKind
{
    /// <summary>Stored as is (Nix name <c>none</c>).</summary>
    None,

    /// <summary>xz container with LZMA2 and a CRC64 check (Nix name <c>xz</c>, Nix's default).</summary>
    Xz,

    /// <summary>Zstandard frames (Nix name <c>zstd</c>).</summary>
    Zstd,

    /// <summary>bzip2 streams (Nix name <c>bzip2</c>; the default of old caches).</summary>
    Bzip2,

    /// <summary>Brotli (Nix name <c>br</c>).</summary>
    Brotli,

    /// <summary>gzip members (Nix name <c>gzip</c>).</summary>
    Gzip,
}
