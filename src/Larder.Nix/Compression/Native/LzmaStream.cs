using System.Runtime.InteropServices;

namespace Larder.Nix.Compression.Native;

/// <summary><c>lzma_stream</c> from <c>lzma/base.h</c>; all zero is <c>LZMA_STREAM_INIT</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LzmaStream
{
    public byte* NextIn;
    public nuint AvailIn;
    public ulong TotalIn;
    public byte* NextOut;
    public nuint AvailOut;
    public ulong TotalOut;
    public void* Allocator;
    public void* Internal;
    public void* ReservedPtr1;
    public void* ReservedPtr2;
    public void* ReservedPtr3;
    public void* ReservedPtr4;
    public ulong SeekPos;
    public ulong ReservedInt2;
    public nuint ReservedInt3;
    public nuint ReservedInt4;
    public int ReservedEnum1;
    public int ReservedEnum2;
}
