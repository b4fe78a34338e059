using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Larder.Nix.Nar;

/// <summary>Regular file contents: small files into the output buffer, larger ones streamed in chunks.</summary>
internal sealed partial class NarDumper
{
    private async Task WriteContentsAsync(string path, long size, CancellationToken cancellationToken)
    {
        Reserve(8);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_used), (ulong)size);
        _used += 8;
        using var handle = UnixFileSystem.OpenForRead(path);
        if (size <= _buffer.Length - _used - 8)
        {
            ReadExactly(handle, path, _buffer.AsSpan(_used, (int)size));
            _used += (int)size;
        }
        else
        {
            await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
            await CopyLargeFileAsync(handle, path, size, cancellationToken).ConfigureAwait(false);
        }
        WritePadding(size);
    }

    /// <summary>
    /// Streams a file too big for the output buffer in large chunks. Reads from the page cache cost a memcpy; for big
    /// files the next chunk is read on another thread while the current one is written (hashed, compressed), but each
    /// such read costs thread hops, which only pay off with few, large chunks.
    /// </summary>
    private Task CopyLargeFileAsync(SafeFileHandle handle, string path, long size, CancellationToken cancellationToken) =>
        size >= OverlapThreshold
            ? CopyOverlappedAsync(handle, path, size, cancellationToken)
            : CopySequentialAsync(handle, path, size, cancellationToken);

    private async Task CopySequentialAsync(SafeFileHandle handle, string path, long size, CancellationToken cancellationToken)
    {
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            var left = size;
            while (left > 0)
            {
                var want = (int)Math.Min(chunk.Length, left);
                ReadExactly(handle, path, chunk.AsSpan(0, want));
                await _output.WriteAsync(chunk.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
                left -= want;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private async Task CopyOverlappedAsync(SafeFileHandle handle, string path, long size, CancellationToken cancellationToken)
    {
        var current = ArrayPool<byte>.Shared.Rent(OverlapChunkSize);
        var next = ArrayPool<byte>.Shared.Rent(OverlapChunkSize);
        Task<int>? pending = null;
        try
        {
            long offset = 0;
            var currentLength = ReadChunk(handle, path, current, offset, size);
            while (true)
            {
                offset += currentLength;
                if (offset < size)
                {
                    var (buffer, at) = (next, offset);
                    pending = Task.Run(() => ReadChunk(handle, path, buffer, at, size), cancellationToken);
                }
                await _output.WriteAsync(current.AsMemory(0, currentLength), cancellationToken).ConfigureAwait(false);
                if (pending is null)
                {
                    break;
                }
                currentLength = await pending.ConfigureAwait(false);
                pending = null;
                (current, next) = (next, current);
            }
        }
        finally
        {
            if (pending is not null)
            {
                // The write failed while a read was in flight: let it finish before its buffer goes back to the pool.
                try { await pending.ConfigureAwait(false); } catch (Exception) { }
            }
            ArrayPool<byte>.Shared.Return(current);
            ArrayPool<byte>.Shared.Return(next);
        }
    }

    /// <summary>Reads min(chunk, rest of file) bytes at <paramref name="offset"/>.</summary>
    private static int ReadChunk(SafeFileHandle handle, string path, byte[] chunk, long offset, long size)
    {
        var want = (int)Math.Min(chunk.Length, size - offset);
        var got = 0;
        while (got < want)
        {
            var n = RandomAccess.Read(handle, chunk.AsSpan(got, want - got), offset + got);
            if (n == 0)
            {
                throw ChangedWhileReading(path);
            }
            got += n;
        }
        return got;
    }

    private static void ReadExactly(SafeFileHandle handle, string path, Span<byte> destination)
    {
        var got = 0;
        while (got < destination.Length)
        {
            var n = UnixFileSystem.Read(handle, destination[got..], path);
            if (n == 0)
            {
                throw ChangedWhileReading(path);
            }
            got += n;
        }
    }

    private static IOException ChangedWhileReading(string path) =>
        new($"file '{path}' got shorter while it was being archived");
}
