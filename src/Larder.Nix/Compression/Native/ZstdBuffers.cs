using System.Runtime.InteropServices;

namespace Larder.Nix.Compression.Native;

/// <summary><c>ZSTD_inBuffer</c>: input window; <see cref="Pos"/> advances as zstd consumes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ZstdInBuffer
{
    public byte* Src;
    public nuint Size;
    public nuint Pos;
}

/// <summary><c>ZSTD_outBuffer</c>: output window; <see cref="Pos"/> advances as zstd produces.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ZstdOutBuffer
{
    public byte* Dst;
    public nuint Size;
    public nuint Pos;
}
