using System.Runtime.InteropServices;

namespace Larder.Nix.Compression.Native;

/// <summary>The .xz stream subset of liblzma (<c>lzma/container.h</c>, <c>lzma/base.h</c>).</summary>
internal static unsafe partial class LzmaNative
{
    // lzma_ret
    public const int Ok = 0;
    public const int StreamEnd = 1;
    public const int MemError = 5;
    public const int MemLimitError = 6;
    public const int FormatError = 7;
    public const int OptionsError = 8;
    public const int DataError = 9;
    public const int BufError = 10;

    // lzma_action
    public const int Run = 0;
    public const int Finish = 3;

    public const uint Concatenated = 0x08;        // LZMA_CONCATENATED: decode concatenated .xz streams as one

    [LibraryImport(NativeLibraries.Lzma, EntryPoint = "lzma_stream_decoder")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int StreamDecoder(LzmaStream* stream, ulong memlimit, uint flags);

    [LibraryImport(NativeLibraries.Lzma, EntryPoint = "lzma_code")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int Code(LzmaStream* stream, int action);

    [LibraryImport(NativeLibraries.Lzma, EntryPoint = "lzma_end")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial void End(LzmaStream* stream);

    /// <summary>What an <c>lzma_ret</c> error means, for messages.</summary>
    public static string Describe(int ret) => ret switch
    {
        MemError => "out of memory",
        MemLimitError => "memory usage limit reached",
        FormatError => "not xz data (bad stream header magic)",
        OptionsError => "unsupported compression options",
        DataError => "corrupt data",
        BufError => "truncated input (data ends inside an xz stream)",
        _ => $"liblzma error {ret}",
    };
}
