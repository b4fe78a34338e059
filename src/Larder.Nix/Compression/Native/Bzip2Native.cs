using System.Runtime.InteropServices;

namespace Larder.Nix.Compression.Native;

/// <summary>The low-level streaming API of libbz2 (<c>bzlib.h</c>).</summary>
internal static unsafe partial class Bzip2Native
{
    public const int Ok = 0;
    public const int RunOk = 1;
    public const int FlushOk = 2;
    public const int FinishOk = 3;
    public const int StreamEnd = 4;
    public const int MemError = -3;
    public const int DataError = -4;
    public const int DataErrorMagic = -5;

    // actions of BZ2_bzCompress
    public const int Run = 0;
    public const int Flush = 1;
    public const int Finish = 2;

    public const int DefaultBlockSize = 9; // the bzip2 tool's default (-9: 900k blocks)

    [LibraryImport(NativeLibraries.Bzip2, EntryPoint = "BZ2_bzCompressInit")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int CompressInit(BzStream* stream, int blockSize100k, int verbosity, int workFactor);

    [LibraryImport(NativeLibraries.Bzip2, EntryPoint = "BZ2_bzCompress")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int Compress(BzStream* stream, int action);

    [LibraryImport(NativeLibraries.Bzip2, EntryPoint = "BZ2_bzCompressEnd")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int CompressEnd(BzStream* stream);

    [LibraryImport(NativeLibraries.Bzip2, EntryPoint = "BZ2_bzDecompressInit")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int DecompressInit(BzStream* stream, int verbosity, int small);

    [LibraryImport(NativeLibraries.Bzip2, EntryPoint = "BZ2_bzDecompress")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int Decompress(BzStream* stream);

    [LibraryImport(NativeLibraries.Bzip2, EntryPoint = "BZ2_bzDecompressEnd")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int DecompressEnd(BzStream* stream);

    /// <summary>What a negative libbz2 return code means, for messages.</summary>
    public static string Describe(int ret) => ret switch
    {
        MemError => "out of memory",
        DataError => "corrupt data (block CRC or structure check failed)",
        DataErrorMagic => "not bzip2 data (bad stream header magic)",
        _ => $"libbz2 error {ret}",
    };
}
