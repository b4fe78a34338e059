using System.Runtime.InteropServices;

namespace Larder.Nix.Compression.Native;

/// <summary><c>lzma_stream</c> from <c>lzma/base.h</c>; all zero is <c>LZMA_STREAM_INIT</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LzmaStream : INativeStream
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

    public void SetWindows(byte* input, int inputLength, byte* output, int outputLength)
    {
        NextIn = input;
        AvailIn = (nuint)inputLength;
        NextOut = output;
        AvailOut = (nuint)outputLength;
    }

    public readonly int InputLeft => (int)AvailIn;

    public readonly int OutputLeft => (int)AvailOut;

    public void ClearWindows()
    {
        NextIn = null;
        NextOut = null;
    }
}
