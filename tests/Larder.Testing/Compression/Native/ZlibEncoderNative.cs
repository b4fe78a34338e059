using System.Runtime.InteropServices;
using Larder.Nix.Compression.Native;

namespace Larder.Testing.Compression.Native;

/// <summary>zlib's deflate for gzip output: Larder itself only decompresses gzip.</summary>
internal static unsafe partial class ZlibEncoderNative
{
    public const int SyncFlush = 2;
    public const int Finish = 4;

    public const int Deflated = 8;        // Z_DEFLATED, the only method
    public const int DefaultMemLevel = 8; // what gzip and deflateInit use
    public const int DefaultStrategy = 0; // Z_DEFAULT_STRATEGY
    public const int DefaultLevel = 6;    // gzip's default (Z_DEFAULT_COMPRESSION)

    [LibraryImport(NativeLibraries.Zlib, EntryPoint = "deflateInit2_")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int DeflateInit2(
        ZStream* stream, int level, int method, int windowBits, int memLevel, int strategy, byte* version, int streamSize);

    [LibraryImport(NativeLibraries.Zlib, EntryPoint = "deflate")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int Deflate(ZStream* stream, int flush);

    [LibraryImport(NativeLibraries.Zlib, EntryPoint = "deflateEnd")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int DeflateEnd(ZStream* stream);

    /// <summary>Calls <c>deflateInit2_</c> for gzip output at <paramref name="level"/>.</summary>
    public static int DeflateInit2Gzip(ZStream* stream, int level)
    {
        fixed (byte* version = ZlibNative.Version)
        {
            return DeflateInit2(stream, level, Deflated, ZlibNative.GzipWindowBits, DefaultMemLevel, DefaultStrategy, version, sizeof(ZStream));
        }
    }
}

/// <summary>Owns a <c>z_stream</c> set up for deflate; releasing calls <c>deflateEnd</c>.</summary>
internal sealed unsafe class ZlibDeflateHandle : NativeStreamHandle<ZStream>
{
    protected override void End(ZStream* stream) => ZlibEncoderNative.DeflateEnd(stream);
}
