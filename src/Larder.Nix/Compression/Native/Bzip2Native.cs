using System.Runtime.InteropServices;

namespace Larder.Nix.Compression.Native;

/// <summary>The low-level decompression API of libbz2 (<c>bzlib.h</c>).</summary>
internal static unsafe partial class Bzip2Native
{
    public const int Ok = 0;
    public const int StreamEnd = 4;
    public const int MemError = -3;
    public const int DataError = -4;
    public const int DataErrorMagic = -5;

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
