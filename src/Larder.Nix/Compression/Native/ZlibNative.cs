using System.Runtime.InteropServices;

namespace Larder.Nix.Compression.Native;

/// <summary>
/// zlib's gzip decoding. Unlike <see cref="System.IO.Compression.GZipStream"/>, inflate tells a truncated member apart
/// from a complete one.
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

    [LibraryImport(NativeLibraries.Zlib, EntryPoint = "inflateEnd")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int InflateEnd(ZStream* stream);

    /// <summary>The version passed to zlib's init functions, which compare only its major digit with their own.</summary>
    public static ReadOnlySpan<byte> Version => "1.2.13\0"u8;

    /// <summary>Calls <c>inflateInit2_</c> with the version and struct size zlib checks against its own.</summary>
    public static int InflateInit2(ZStream* stream, int windowBits)
    {
        fixed (byte* version = Version)
        {
            return InflateInit2(stream, windowBits, version, sizeof(ZStream));
        }
    }
}
