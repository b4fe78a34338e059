using System.Runtime.InteropServices;

namespace Larder.Nix.Compression.Native;

/// <summary><c>bz_stream</c> from <c>bzlib.h</c>; null allocators mean malloc/free.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct BzStream : INativeStream
{
    public byte* NextIn;
    public uint AvailIn;
    public uint TotalInLo32;
    public uint TotalInHi32;
    public byte* NextOut;
    public uint AvailOut;
    public uint TotalOutLo32;
    public uint TotalOutHi32;
    public void* State;
    public void* BzAlloc;
    public void* BzFree;
    public void* Opaque;

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
