using Larder.Nix.Streams;

namespace Larder.Server.Storage;

/// <summary>
/// Reads a list of blobs one after another as one stream, opening each only when the previous one is read to its end.
/// A blob shorter or longer than its recorded size is an <see cref="IOException"/> (<see cref="SizeMismatch"/>).
/// </summary>
public abstract class SequentialBlobsStream : ReadOnlyStream
{
    private int _next;
    private Stream? _current;
    private long _remaining;

    /// <summary>How many blobs there are (so far, when <see cref="HasBlobAsync"/> waits for more).</summary>
    protected abstract int Count { get; }

    /// <summary>Whether there is a blob <paramref name="index"/>; a list that grows while it is read waits here for the next one.</summary>
    protected virtual ValueTask<bool> HasBlobAsync(int index, CancellationToken cancellationToken) => ValueTask.FromResult(index < Count);

    /// <summary>The recorded size of blob <paramref name="index"/>.</summary>
    protected abstract long SizeOf(int index);

    /// <summary>Opens blob <paramref name="index"/> from its start.</summary>
    protected abstract Task<Stream> OpenAsync(int index, CancellationToken cancellationToken);

    /// <summary>The message saying that blob <paramref name="index"/> does not have its recorded size.</summary>
    protected abstract string SizeMismatch(int index);

    public override int Read(Span<byte> buffer) => throw new NotSupportedException("stored blobs are read asynchronously");

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }
        while (true)
        {
            if (_current is null)
            {
                if (!await HasBlobAsync(_next, cancellationToken).ConfigureAwait(false))
                {
                    return 0;
                }
                _remaining = SizeOf(_next);
                _current = await OpenAsync(_next++, cancellationToken).ConfigureAwait(false);
            }
            var read = await _current.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining + 1)], cancellationToken).ConfigureAwait(false);
            if (read > _remaining || (read == 0 && _remaining > 0))
            {
                throw new IOException(SizeMismatch(_next - 1));
            }
            if (read > 0)
            {
                _remaining -= read;
                return read;
            }
            await _current.DisposeAsync().ConfigureAwait(false);
            _current = null;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_current is not null)
        {
            await _current.DisposeAsync().ConfigureAwait(false);
            _current = null;
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _current?.Dispose();
            _current = null;
        }
        base.Dispose(disposing);
    }
}
