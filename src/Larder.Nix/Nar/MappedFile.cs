using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Larder.Nix.Nar;

/// <summary>
/// A window of a file mapped read-only into memory, as <see cref="Memory{T}"/>: hashing or writing it reads the page cache
/// directly instead of copying it into a buffer first. A mapped file that shrinks makes the next access fault (SIGBUS),
/// so only files no one may write to (store files) are mapped.
/// </summary>
internal sealed unsafe partial class MappedFile : MemoryManager<byte>
{
    private const int ProtRead = 0x1, MapPrivate = 0x2, MadvSequential = 2;

    private byte* _address;
    private readonly int _length;

    private MappedFile(byte* address, int length)
    {
        _address = address;
        _length = length;
    }

    /// <summary>Maps <paramref name="length"/> bytes of the open file from <paramref name="offset"/> (a multiple of the page size).</summary>
    public static MappedFile Map(SafeFileHandle handle, long offset, int length, string path)
    {
        var address = Mmap(null, length, ProtRead, MapPrivate, handle, offset);
        if (address == (void*)-1)
        {
            throw new IOException($"cannot map '{path}': {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
        _ = Madvise(address, length, MadvSequential); // only a hint for read-ahead
        return new MappedFile((byte*)address, length);
    }

    public override Span<byte> GetSpan() => new(_address, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_address + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (_address != null)
        {
            _ = Munmap(_address, _length);
            _address = null;
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "mmap", SetLastError = true)]
    private static partial void* Mmap(void* address, nint length, int protection, int flags, SafeFileHandle fd, long offset);

    [LibraryImport("libc.so.6", EntryPoint = "munmap")]
    private static partial int Munmap(void* address, nint length);

    [LibraryImport("libc.so.6", EntryPoint = "madvise")]
    private static partial int Madvise(void* address, nint length, int advice);
}
