namespace Larder.Nix.Compression;

/// <summary>
/// A read-only pass-through that allows at most <see cref="Limit"/> bytes and throws
/// <see cref="LengthLimitExceededException"/> as soon as the inner stream yields one byte more.
/// Exactly <see cref="Limit"/> bytes followed by end of stream is fine. Wrap a decompressor in it to bound its output.
/// </summary>
public sealed class LengthLimitedStream : Stream
{
    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private long _position;
    private bool _disposed;

    /// <param name="inner">The stream to read from.</param>
    /// <param name="limit">The most bytes allowed (0 or more).</param>
    /// <param name="leaveOpen">False: disposing this stream disposes <paramref name="inner"/>.</param>
    public LengthLimitedStream(Stream inner, long limit, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (!inner.CanRead)
        {
            throw new ArgumentException("the inner stream must be readable", nameof(inner));
        }

        _inner = inner;
        Limit = limit;
        _leaveOpen = leaveOpen;
    }

    /// <summary>The most bytes this stream yields.</summary>
    public long Limit { get; }

    /// <summary>Bytes read so far.</summary>
    public long BytesRead => _position;

    public override bool CanRead => !_disposed;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        return Count(_inner.Read(buffer[..Window(buffer.Length)]));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var read = await _inner.ReadAsync(buffer[..Window(buffer.Length)], cancellationToken).ConfigureAwait(false);
        return Count(read);
    }

    // One byte past the limit is requested so that an over-long stream is noticed rather than cut short.
    private int Window(int requested)
    {
        var remaining = Limit - _position;
        return remaining >= requested ? requested : (int)remaining + 1;
    }

    private int Count(int read)
    {
        _position += read;
        if (_position > Limit)
        {
            throw new LengthLimitExceededException(Limit);
        }

        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            if (!_leaveOpen)
            {
                _inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            if (!_leaveOpen)
            {
                await _inner.DisposeAsync().ConfigureAwait(false);
            }
        }

        GC.SuppressFinalize(this);
    }
}
