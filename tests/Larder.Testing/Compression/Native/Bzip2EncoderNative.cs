using System.Runtime.InteropServices;
using Larder.Nix.Compression.Native;

namespace Larder.Testing.Compression.Native;

/// <summary>The compressing half of libbz2's low-level API (<c>bzlib.h</c>): Larder itself only decompresses bzip2.</summary>
internal static unsafe partial class Bzip2EncoderNative
{
    public const int RunOk = 1;
    public const int FlushOk = 2;
    public const int FinishOk = 3;

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
}

/// <summary>Owns a <c>bz_stream</c> set up for compression; releasing calls <c>BZ2_bzCompressEnd</c>.</summary>
internal sealed unsafe class Bzip2CompressHandle : NativeStreamHandle<BzStream>
{
    protected override void End(BzStream* stream) => Bzip2EncoderNative.CompressEnd(stream);
}
