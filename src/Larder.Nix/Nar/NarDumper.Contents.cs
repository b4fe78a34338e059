using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Larder.Nix.Nar;

/// <summary>
/// Regular file contents: read into the output buffer, or, for large read-only files (store files), mapped and
/// written straight from the page cache, which saves copying every byte once.
/// </summary>
internal sealed partial class NarDumper
{
    private const long MapThreshold = BufferSize;
    private const int MapWindow = 256 * 1024 * 1024;
    private const int MappedWriteSize = 4 * 1024 * 1024;

    private async Task WriteContentsAsync(string path, UnixFileStatus status, CancellationToken cancellationToken)
    {
        Reserve(8);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_used), (ulong)status.Size);
        _used += 8;
        using var handle = UnixFileSystem.OpenForRead(path);
        if (status.ReadOnly && status.Size >= MapThreshold)
        {
            await WriteMappedAsync(handle, path, status.Size, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await ReadIntoBufferAsync(handle, path, status.Size, cancellationToken).ConfigureAwait(false);
        }
        await EnsureSpaceAsync(CloseSpace, cancellationToken).ConfigureAwait(false);
        WritePadding(status.Size);
    }

    private async Task ReadIntoBufferAsync(SafeFileHandle handle, string path, long size, CancellationToken cancellationToken)
    {
        var left = size;
        while (left > 0)
        {
            if (_used == _buffer.Length)
            {
                await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
            }
            var want = (int)Math.Min(_buffer.Length - _used, left);
            ReadExactly(handle, path, _buffer.AsSpan(_used, want));
            _used += want;
            left -= want;
        }
    }

    /// <summary>Queues the file's bytes as background writes of mapped windows; each window is unmapped once written.</summary>
    private async Task WriteMappedAsync(SafeFileHandle handle, string path, long size, CancellationToken cancellationToken)
    {
        await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
        for (long offset = 0; offset < size; offset += MapWindow)
        {
            var window = MappedFile.Map(handle, offset, (int)Math.Min(MapWindow, size - offset), path);
            try
            {
                await _pendingWrite.ConfigureAwait(false);
            }
            catch
            {
                ((IDisposable)window).Dispose();
                throw;
            }
            _pendingWrite = Task.Run(() => WriteWindowAsync(window, cancellationToken), CancellationToken.None);
        }
    }

    private async Task WriteWindowAsync(MappedFile window, CancellationToken cancellationToken)
    {
        using (window)
        {
            var memory = window.Memory;
            for (var at = 0; at < memory.Length; at += MappedWriteSize)
            {
                await _output.WriteAsync(memory.Slice(at, Math.Min(MappedWriteSize, memory.Length - at)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static void ReadExactly(SafeFileHandle handle, string path, Span<byte> destination)
    {
        var got = 0;
        while (got < destination.Length)
        {
            var n = UnixFileSystem.Read(handle, destination[got..], path);
            if (n == 0)
            {
                throw new IOException($"file '{path}' got shorter while it was being archived");
            }
            got += n;
        }
    }
}
