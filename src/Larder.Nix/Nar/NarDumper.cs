using System.Buffers;
using System.Buffers.Binary;
using System.IO.Enumeration;

namespace Larder.Nix.Nar;

/// <summary>
/// The state of one <see cref="NarWriter"/> run. Everything (strings, small files, chunks of large files) goes into a
/// pooled 1 MiB buffer; a full buffer is written to the output on the thread pool while this thread fills the other
/// one, so reading files (system calls, page-cache copies) overlaps with whatever the output does (hashing,
/// compressing, sending). Nix does the two one after the other.
/// </summary>
internal sealed partial class NarDumper : IDisposable
{
    internal const int BufferSize = 1024 * 1024;

    // Room for everything one entry writes before its contents: keywords, a name and a symlink target at their limits.
    private const int EntryHeaderSpace = 8 * 1024;

    // One ")" string.
    private const int CloseSpace = 16;

    private static readonly EnumerationOptions ListEverything = new()
    {
        AttributesToSkip = 0, // the default skips "hidden" (dot) files
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    private readonly Stream _output;
    private byte[] _buffer;
    private byte[] _spare;
    private int _used;

    // The write of the spare buffer, in flight on the thread pool; at most one at a time, so writes stay in order.
    private Task _pendingWrite = Task.CompletedTask;

    public NarDumper(Stream output)
    {
        _output = output;
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        _spare = ArrayPool<byte>.Shared.Rent(BufferSize);
    }

    public async Task DumpAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            WriteString(NarTokens.Magic);
            await DumpNodeAsync(path, cancellationToken).ConfigureAwait(false);
            await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
            await _pendingWrite.ConfigureAwait(false);
        }
        finally
        {
            // On failure a write may still be using the spare buffer: let it end before the buffers go back to the pool.
            try { await _pendingWrite.ConfigureAwait(false); } catch (Exception) { }
        }
    }

    public void Dispose()
    {
        foreach (var buffer in new[] { _buffer, _spare })
        {
            if (buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        _buffer = _spare = [];
    }

    private async Task DumpNodeAsync(string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureSpaceAsync(EntryHeaderSpace, cancellationToken).ConfigureAwait(false);
        var status = StatusOf(path);
        WriteString(NarTokens.Open);
        WriteString(NarTokens.Type);
        switch (status.Kind)
        {
            case UnixFileKind.Regular:
                WriteString(NarTokens.Regular);
                if (status.OwnerExecutable)
                {
                    WriteString(NarTokens.Executable);
                    WriteString([]);
                }
                WriteString(NarTokens.Contents);
                await WriteContentsAsync(path, status, cancellationToken).ConfigureAwait(false);
                break;
            case UnixFileKind.Symlink:
                WriteString(NarTokens.Symlink);
                WriteString(NarTokens.Target);
                var target = System.Text.Encoding.UTF8.GetBytes(new FileInfo(path).LinkTarget
                    ?? throw new IOException($"cannot read symlink '{path}'"));
                if (target.Length > NarTokens.MaxTargetLength)
                {
                    throw new IOException($"symlink '{path}' has a target longer than {NarTokens.MaxTargetLength} bytes");
                }
                WriteString(target);
                break;
            case UnixFileKind.Directory:
                WriteString(NarTokens.Directory);
                foreach (var (nameBytes, name) in SortedEntries(path))
                {
                    await EnsureSpaceAsync(EntryHeaderSpace, cancellationToken).ConfigureAwait(false);
                    WriteString(NarTokens.Entry);
                    WriteString(NarTokens.Open);
                    WriteString(NarTokens.Name);
                    WriteString(nameBytes);
                    WriteString(NarTokens.Node);
                    await DumpNodeAsync(Path.Join(path, name), cancellationToken).ConfigureAwait(false);
                    await EnsureSpaceAsync(CloseSpace, cancellationToken).ConfigureAwait(false);
                    WriteString(NarTokens.Close);
                }
                break;
            default:
                throw new IOException($"file '{path}' has an unsupported type (only regular files, directories and symlinks can be archived)");
        }
        await EnsureSpaceAsync(CloseSpace, cancellationToken).ConfigureAwait(false);
        WriteString(NarTokens.Close);
    }

    private static UnixFileStatus StatusOf(string path)
    {
        try
        {
            return UnixFileSystem.GetStatus(path);
        }
        catch (FileNotFoundException) when (Path.GetFileName(path).Contains('\uFFFD'))
        {
            // .NET decodes file names as UTF-8, replacing invalid bytes, so such a name cannot be opened again.
            throw new IOException($"cannot archive '{path}': its name is not valid UTF-8");
        }
    }

    private static List<(byte[] NameBytes, string Name)> SortedEntries(string directory)
    {
        var entries = new List<(byte[], string)>();
        var enumerable = new FileSystemEnumerable<string>(directory, (ref FileSystemEntry e) => e.FileName.ToString(), ListEverything);
        foreach (var name in enumerable)
        {
            entries.Add((System.Text.Encoding.UTF8.GetBytes(name), name));
        }
        // Nix orders entries by the bytes of their names; UTF-16 ordinal order differs for characters above U+FFFF.
        entries.Sort(static (a, b) => a.Item1.AsSpan().SequenceCompareTo(b.Item1));
        return entries;
    }

    private void WriteString(ReadOnlySpan<byte> value)
    {
        var padded = 8 + value.Length + NarTokens.PaddingFor(value.Length);
        Reserve(padded);
        var span = _buffer.AsSpan(_used, padded);
        BinaryPrimitives.WriteUInt64LittleEndian(span, (ulong)value.Length);
        value.CopyTo(span[8..]);
        span[(8 + value.Length)..].Clear();
        _used += padded;
    }

    private void WritePadding(long length)
    {
        var padding = NarTokens.PaddingFor(length);
        Reserve(padding);
        _buffer.AsSpan(_used, padding).Clear();
        _used += padding;
    }

    /// <summary>Makes sure <paramref name="count"/> more bytes fit; callers made room with <see cref="EnsureSpaceAsync"/>.</summary>
    private void Reserve(int count)
    {
        if (_buffer.Length - _used < count)
        {
            throw new InvalidOperationException("NAR output buffer overrun: a string exceeded the reserved header space");
        }
    }

    private ValueTask EnsureSpaceAsync(int count, CancellationToken cancellationToken) =>
        _buffer.Length - _used >= count ? ValueTask.CompletedTask : FlushBufferAsync(cancellationToken);

    /// <summary>Hands the filled part of the buffer to a background write (after the previous one ended) and swaps buffers.</summary>
    private async ValueTask FlushBufferAsync(CancellationToken cancellationToken)
    {
        if (_used == 0)
        {
            return;
        }
        await _pendingWrite.ConfigureAwait(false);
        var filled = _buffer.AsMemory(0, _used);
        _pendingWrite = Task.Run(() => _output.WriteAsync(filled, cancellationToken).AsTask(), cancellationToken);
        (_buffer, _spare) = (_spare, _buffer);
        _used = 0;
    }
}
