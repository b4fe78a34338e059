using System.Buffers;
using System.Threading.Channels;
using Larder.Nix.Hashing;

namespace Larder.Nix.Streams;

/// <summary>
/// A read-only pass-through stream that hashes what is read from it on another thread: each block read is copied into
/// a pooled buffer and queued (at most <see cref="QueuedBlocks"/> at once, which holds back the reader) for a hashing
/// task. A reader that does heavy work of its own on the bytes (decompressing and hashing them as a NAR) then runs
/// beside this hash instead of before it. Take the result with <see cref="GetHashAsync"/> once the inner stream is read
/// to its end.
/// </summary>
public sealed class OffThreadHashingStream : ReadOnlyStream
{
    /// <summary>Blocks read but not hashed yet, at most.</summary>
    public const int QueuedBlocks = 8;

    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly Channel<(byte[] Block, int Count)> _blocks =
        Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(QueuedBlocks) { SingleReader = true, SingleWriter = true });
    private readonly Task<(NixHash Hash, long Length)> _hashing;
    private bool _disposed;

    /// <summary>Wraps <paramref name="inner"/>; bytes read through this stream are hashed with <paramref name="kind"/>.</summary>
    public OffThreadHashingStream(Stream inner, HashKind kind = HashKind.Sha256, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _leaveOpen = leaveOpen;
        _hashing = Task.Run(() => HashAsync(_blocks.Reader, kind));
    }

    /// <summary>The hash and length of everything read, once the hashing task has caught up. Read nothing more afterwards.</summary>
    public Task<(NixHash Hash, long Length)> GetHashAsync()
    {
        _blocks.Writer.TryComplete();
        return _hashing;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read > 0)
        {
            await QueueAsync(Copy(buffer.Span[..read]), read, cancellationToken).ConfigureAwait(false);
        }
        return read;
    }

    public override int Read(Span<byte> buffer)
    {
        int read = _inner.Read(buffer);
        if (read > 0)
        {
            QueueAsync(Copy(buffer[..read]), read, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
        return read;
    }

    private static byte[] Copy(ReadOnlySpan<byte> data)
    {
        var block = ArrayPool<byte>.Shared.Rent(data.Length);
        data.CopyTo(block);
        return block;
    }

    private async ValueTask QueueAsync(byte[] block, int count, CancellationToken cancellationToken)
    {
        try
        {
            await _blocks.Writer.WriteAsync((block, count), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(block);
            throw;
        }
    }

    private static async Task<(NixHash Hash, long Length)> HashAsync(ChannelReader<(byte[] Block, int Count)> blocks, HashKind kind)
    {
        using var hasher = new NixHasher(kind);
        await foreach (var (block, count) in blocks.ReadAllAsync().ConfigureAwait(false))
        {
            hasher.Append(block.AsSpan(0, count));
            ArrayPool<byte>.Shared.Return(block);
        }
        return (hasher.GetCurrentHash(), hasher.Length);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            // The hashing task ends once the queue is drained; it owns the queued blocks and returns them.
            _blocks.Writer.TryComplete();
            if (!_leaveOpen)
            {
                _inner.Dispose();
            }
        }
        base.Dispose(disposing);
    }
}
