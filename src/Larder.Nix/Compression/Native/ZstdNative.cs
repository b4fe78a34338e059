using System.Runtime.InteropServices;

namespace Larder.Nix.Compression.Native;

/// <summary>The streaming subset of <c>zstd.h</c> (libzstd 1.4+ stable API).</summary>
internal static unsafe partial class ZstdNative
{
    public const int CompressionLevelParameter = 100; // ZSTD_c_compressionLevel
    public const int ChecksumFlagParameter = 201;     // ZSTD_c_checksumFlag
    public const int NbWorkersParameter = 400;        // ZSTD_c_nbWorkers

    public const int EndContinue = 0; // ZSTD_e_continue
    public const int EndFlush = 1;    // ZSTD_e_flush
    public const int EndEnd = 2;      // ZSTD_e_end

    public const int DefaultLevel = 3; // ZSTD_CLEVEL_DEFAULT, also what the zstd CLI and Nix use

    [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_createCStream")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial ZstdCStreamHandle CreateCStream();

    [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_freeCStream")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial nuint FreeCStream(nint zcs);

    [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_CCtx_setParameter")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial nuint CCtxSetParameter(ZstdCStreamHandle cctx, int parameter, int value);

    [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_compressStream2")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial nuint CompressStream2(ZstdCStreamHandle cctx, ZstdOutBuffer* output, ZstdInBuffer* input, int endOp);

    [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_createDStream")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial ZstdDStreamHandle CreateDStream();

    [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_freeDStream")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial nuint FreeDStream(nint zds);

    [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_decompressStream")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial nuint DecompressStream(ZstdDStreamHandle zds, ZstdOutBuffer* output, ZstdInBuffer* input);

    [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_CStreamInSize")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial nuint CStreamInSize();

    [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_CStreamOutSize")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial nuint CStreamOutSize();

    [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_DStreamInSize")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial nuint DStreamInSize();

    [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_DStreamOutSize")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial nuint DStreamOutSize();

    [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_minCLevel")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int MinCLevel();

    [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_maxCLevel")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int MaxCLevel();

    [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_isError")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial uint IsError(nuint code);

    // Returns a static string owned by libzstd: read it, never free it.
    [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_getErrorName")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial byte* GetErrorName(nuint code);

    /// <summary>Throws a <see cref="CompressionException"/> when <paramref name="code"/> is a zstd error code.</summary>
    public static nuint Check(nuint code, string context)
    {
        if (IsError(code) != 0)
        {
            ThrowError(code, context);
        }

        return code;
    }

    private static void ThrowError(nuint code, string context) =>
        throw new CompressionException(
            CompressionKind.Zstd, $"{context}: {Marshal.PtrToStringUTF8((nint)GetErrorName(code))}");
}
