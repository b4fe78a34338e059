using System.Runtime.InteropServices;

namespace Larder.Nix.Compression.Native;

/// <summary><c>z_stream</c> from <c>zlib.h</c> (<c>uLong</c> is C <c>long</c>); null allocators mean malloc/free.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ZStream : INativeStream
{
    public byte* NextIn;
    public uint AvailIn;
    public CULong TotalIn;
    public byte* NextOut;
    public uint AvailOut;
    public CULong TotalOut;
    public byte* Msg;
    public void* State;
    public void* ZAlloc;
    public void* ZFree;
    public void* Opaque;
    public int DataType;
    public CULong Adler;
    public CULong Reserved;

    public void SetWindows(byte* input, int inputLength, byte* output, int outputLength)
    {
        NextIn = input;
        AvailIn = (uint)inputLength;
        NextOut = output;
        AvailOut = (uint)outputLength;
    }

    public readonly int InputLeft => (int)AvailIn;

    public readonly int OutputLeft => (int)AvailOut;

    public void ClearWindows()
    {
        NextIn = null;
        NextOut = null;
    }
}
