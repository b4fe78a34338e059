using System.Buffers;
using System.Buffers.Binary;
using System.IO.Enumeration;

namespace Larder.Nix.Nar;

/// <summary>
/// The state of one <see cref="NarWriter"/> run: a pooled output buffer that collects the small strings (and whole
/// small files), flushed to the output in large writes. Larger files bypass it, read in 1 MiB chunks; from 16 MiB on,
/// the next chunk is read on another thread while the previous one is written, so hashing or compressing overlaps
/// with reading. (A pipeline that also reads small files ahead was tried: under load it cost more than it gained.)
/// </summary>
internal sealed partial class NarDumper : IDisposable
{
    internal const int BufferSize = 256 * 1024;
    private const int ChunkSize = 1024 * 1024;
    private const int OverlapChunkSize = 4 * 1024 * 1024;
    private const long OverlapThreshold = 16 * 1024 * 1024;

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
    private int _used;

    public NarDumper(Stream output)
    {
        _output = output;
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    }

    public async Task DumpAsync(string path, CancellationToken cancellationToken)
    {
        WriteString(NarTokens.Magic);
        await DumpNodeAsync(path, cancellationToken).ConfigureAwait(false);
        await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
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
                await WriteContentsAsync(path, status.Size, cancellationToken).ConfigureAwait(false);
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

    private async ValueTask FlushBufferAsync(CancellationToken cancellationToken)
    {
        if (_used > 0)
        {
            await _output.WriteAsync(_buffer.AsMemory(0, _used), cancellationToken).ConfigureAwait(false);
            _used = 0;
        }
    }
}
