using System.Runtime.InteropServices;

namespace Larder.Nix.Compression.Native;

/// <summary>
/// zlib's gzip support. Unlike <see cref="System.IO.Compression.GZipStream"/>, inflate tells a truncated member apart
/// from a complete one, and deflate writes a valid member for empty data (GZipStream writes nothing at all).
/// </summary>
internal static unsafe partial class ZlibNative
{
    public const int Ok = 0;
    public const int StreamEnd = 1;
    public const int NeedDict = 2;
    public const int DataError = -3;
    public const int MemError = -4;
    public const int BufError = -5;

    public const int NoFlush = 0;
    public const int SyncFlush = 2;
    public const int Finish = 4;

    public const int Deflated = 8;        // Z_DEFLATED, the only method
    public const int DefaultMemLevel = 8; // what gzip and deflateInit use
    public const int DefaultStrategy = 0; // Z_DEFAULT_STRATEGY
    public const int DefaultLevel = 6;    // gzip's default (Z_DEFAULT_COMPRESSION)

    /// <summary>windowBits 15 plus 16: a 32 KiB window, gzip header and trailer (CRC32 and length checked).</summary>
    public const int GzipWindowBits = 31;

    [LibraryImport(NativeLibraries.Zlib, EntryPoint = "inflateInit2_")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int InflateInit2(ZStream* stream, int windowBits, byte* version, int streamSize);

    [LibraryImport(NativeLibraries.Zlib, EntryPoint = "inflate")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int Inflate(ZStream* stream, int flush);

    [LibraryImport(NativeLibraries.Zlib, EntryPoint = "inflateReset")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int InflateReset(ZStream* stream);

    [LibraryImport(NativeLibraries.Zlib, EntryPoint = "deflateInit2_")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int DeflateInit2(
        ZStream* stream, int level, int method, int windowBits, int memLevel, int strategy, byte* version, int streamSize);

    [LibraryImport(NativeLibraries.Zlib, EntryPoint = "deflate")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int Deflate(ZStream* stream, int flush);

    [LibraryImport(NativeLibraries.Zlib, EntryPoint = "deflateEnd")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int DeflateEnd(ZStream* stream);

    [LibraryImport(NativeLibraries.Zlib, EntryPoint = "inflateEnd")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int InflateEnd(ZStream* stream);

    // zlib's init functions compare only the major version digit with their own, and the struct size.
    private static ReadOnlySpan<byte> Version => "1.2.13\0"u8;

    /// <summary>Calls <c>inflateInit2_</c> with the version and struct size zlib checks against its own.</summary>
    public static int InflateInit2(ZStream* stream, int windowBits)
    {
        fixed (byte* version = Version)
        {
            return InflateInit2(stream, windowBits, version, sizeof(ZStream));
        }
    }

    /// <summary>Calls <c>deflateInit2_</c> for gzip output at <paramref name="level"/>.</summary>
    public static int DeflateInit2Gzip(ZStream* stream, int level)
    {
        fixed (byte* version = Version)
        {
            return DeflateInit2(stream, level, Deflated, GzipWindowBits, DefaultMemLevel, DefaultStrategy, version, sizeof(ZStream));
        }
    }
}
