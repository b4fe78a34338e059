namespace Larder.Nix.Compression.Native;

/// <summary>The sonames of the system libraries the native codecs bind to, and the Debian packages providing them.</summary>
internal static class NativeLibraries
{
    public const string Zstd = "libzstd.so.1";
    public const string Lzma = "liblzma.so.5";
    public const string Bzip2 = "libbz2.so.1.0";
    public const string Zlib = "libz.so.1";

    /// <summary>Turns a missing library into an error that says what to install.</summary>
    public static CompressionException Missing(CompressionKind codec, DllNotFoundException e)
    {
        var (library, package) = codec switch
        {
            CompressionKind.Zstd => (Zstd, "libzstd1"),
            CompressionKind.Xz => (Lzma, "liblzma5"),
            CompressionKind.Bzip2 => (Bzip2, "libbz2-1.0"),
            _ => (Zlib, "zlib1g"),
        };
        return new CompressionException(codec, $"native library {library} not found (install the Debian package {package})", e);
    }
}
