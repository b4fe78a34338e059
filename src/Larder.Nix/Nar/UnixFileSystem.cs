using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Larder.Nix.Nar;

/// <summary>The kind of a file system object as <c>lstat</c> sees it.</summary>
internal enum UnixFileKind
{
    Regular,
    Directory,
    Symlink,
    Other,
}

/// <summary>What the NAR writer needs to know about a path, without following a final symlink.</summary>
/// <param name="ReadOnly">No one has write permission (as for every file in a Nix store).</param>
internal readonly record struct UnixFileStatus(UnixFileKind Kind, bool OwnerExecutable, bool ReadOnly, long Size);

/// <summary>
/// The few POSIX calls .NET does not expose: the file type of a path without following symlinks (FIFOs, sockets and
/// devices must be refused before anything opens them) and a <c>mkdir</c> that fails when the path exists.
/// </summary>
internal static partial class UnixFileSystem
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1, StatxMode = 0x2, StatxSize = 0x200;
    private const int EExist = 17;
    private const int EIntr = 4;
    private const int ELoop = 40;
    private const int ENameTooLong = 36;
    private const int ORdOnly = 0, ONonBlock = 0x800, ONoFollow = 0x20000, OCloExec = 0x80000;

    /// <summary><c>lstat</c>-like status of <paramref name="path"/>; throws <see cref="IOException"/> on failure.</summary>
    public static unsafe UnixFileStatus GetStatus(string path)
    {
        // struct statx has the same 256-byte layout on every Linux architecture: stx_mode is a u16 at 28, stx_size a u64 at 40.
        byte* buffer = stackalloc byte[256];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType | StatxMode | StatxSize, buffer) != 0)
        {
            throw ErrorFor(Marshal.GetLastPInvokeError(), "cannot stat", path);
        }
        var mode = *(ushort*)(buffer + 28);
        var size = *(long*)(buffer + 40);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => UnixFileKind.Regular,
            0x4000 => UnixFileKind.Directory,
            0xA000 => UnixFileKind.Symlink,
            _ => UnixFileKind.Other,
        };
        return new UnixFileStatus(kind, (mode & 0x40) != 0, (mode & 0x92) == 0, size);
    }

    /// <summary>Creates a directory; throws <see cref="IOException"/> if anything (even a dangling symlink) is already there.</summary>
    public static void CreateDirectoryExclusive(string path)
    {
        if (Mkdir(path, 0x1FF) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno == EExist
                ? new IOException($"cannot create directory '{path}': it already exists")
                : ErrorFor(errno, "cannot create directory", path);
        }
    }

    /// <summary>
    /// Opens a regular file for reading with a bare <c>open</c>: no symlink following, no blocking on a FIFO that
    /// replaced the file, and none of the extra calls (<c>fstat</c>, <c>flock</c>) <see cref="File.OpenHandle"/> makes,
    /// which add up over many small files.
    /// </summary>
    public static SafeFileHandle OpenForRead(string path)
    {
        var fd = Open(path, ORdOnly | ONonBlock | ONoFollow | OCloExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno == ELoop
                ? new IOException($"cannot open '{path}': it was replaced by a symlink")
                : ErrorFor(errno, "cannot open", path);
        }
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Reads at the file position with a bare <c>read</c>; returns 0 at end of file.</summary>
    public static unsafe int Read(SafeFileHandle handle, Span<byte> destination, string path)
    {
        fixed (byte* buffer = destination)
        {
            while (true)
            {
                var n = ReadNative(handle, buffer, destination.Length);
                if (n >= 0)
                {
                    return (int)n;
                }
                var errno = Marshal.GetLastPInvokeError();
                if (errno != EIntr)
                {
                    throw ErrorFor(errno, "cannot read", path);
                }
            }
        }
    }

    // The same exception types as .NET's own file APIs, so a too-long name fails alike in mkdir and in File.Create.
    private static IOException ErrorFor(int errno, string what, string path) => errno switch
    {
        2 => new FileNotFoundException($"{what} '{path}': {Marshal.GetPInvokeErrorMessage(errno)}", path),
        ENameTooLong => new PathTooLongException($"{what} '{path}': {Marshal.GetPInvokeErrorMessage(errno)}"),
        _ => new IOException($"{what} '{path}': {Marshal.GetPInvokeErrorMessage(errno)}"),
    };

    [LibraryImport("libc.so.6", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc.so.6", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc.so.6", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint ReadNative(SafeFileHandle fd, byte* buffer, nint count);

    [LibraryImport("libc.so.6", EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Mkdir(string path, uint mode);
}
