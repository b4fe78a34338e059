namespace Larder.Nix.Streams;

/// <summary>
/// A read-only pass-through that allows at most <see cref="Limit"/> bytes and throws
/// <see cref="LengthLimitExceededException"/> naming what was read as soon as the inner stream yields one byte more,
/// so an oversized body (or a decompressor's output: a decompression bomb) is refused while streaming. Exactly
/// <see cref="Limit"/> bytes followed by the end is fine. It never asks the inner stream for more than one byte past
/// the limit.
/// </summary>
public sealed class BoundedReadStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private readonly string _what;
    private readonly bool _leaveOpen;
    private bool _disposed;

    /// <param name="inner">The stream to read from.</param>
    /// <param name="limit">The most bytes allowed (0 or more).</param>
    /// <param name="what">What is read, for the error message ("the upload", "the uncompressed NAR").</param>
    /// <param name="leaveOpen">False: disposing this stream disposes <paramref name="inner"/>.</param>
    public BoundedReadStream(Stream inner, long limit, string what, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentException.ThrowIfNullOrEmpty(what);
        if (!inner.CanRead)
        {
            throw new ArgumentException("the inner stream must be readable", nameof(inner));
        }
        _inner = inner;
        _what = what;
        _leaveOpen = leaveOpen;
        Limit = limit;
    }

    /// <summary>The most bytes this stream yields.</summary>
    public long Limit { get; }

    /// <summary>Bytes read so far.</summary>
    public long BytesRead { get; private set; }

    public override int Read(Span<byte> buffer) =>
        buffer.IsEmpty ? 0 : Count(_inner.Read(buffer[..Window(buffer.Length)]));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        buffer.IsEmpty ? 0 : Count(await _inner.ReadAsync(buffer[..Window(buffer.Length)], cancellationToken).ConfigureAwait(false));

    // One byte past the limit is requested so that an over-long stream is noticed rather than cut short.
    private int Window(int requested)
    {
        var remaining = Limit - BytesRead;
        return remaining >= requested ? requested : (int)remaining + 1;
    }

    private int Count(int read)
    {
        BytesRead += read;
        if (BytesRead > Limit)
        {
            throw new LengthLimitExceededException(_what, Limit);
        }
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_leaveOpen && !_disposed)
        {
            _disposed = true;
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_leaveOpen && !_disposed)
        {
            _disposed = true;
            await _inner.DisposeAsync().ConfigureAwait(false);
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
