using System.Runtime.InteropServices;
using Larder.Nix.Compression.Native;

namespace Larder.Testing.Compression.Native;

/// <summary>liblzma's .xz encoder: Larder itself only decompresses xz.</summary>
internal static unsafe partial class LzmaEncoderNative
{
    public const int SyncFlush = 1;           // LZMA_SYNC_FLUSH
    public const int CheckCrc64 = 4;          // LZMA_CHECK_CRC64, what the xz tool and Nix write
    public const uint DefaultPreset = 6;      // LZMA_PRESET_DEFAULT

    [LibraryImport(NativeLibraries.Lzma, EntryPoint = "lzma_easy_encoder")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int EasyEncoder(LzmaStream* stream, uint preset, int check);
}
