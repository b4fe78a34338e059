namespace Larder.Nix.Streams;

/// <summary>
/// Base of the forward-only, read-only wrapper streams: a derived class implements the span and memory reads; the
/// array overloads forward to them, and seeking, length and writing are refused. <see cref="Position"/> is the number
/// of bytes read so far, which the derived class reports with <see cref="Advance"/>.
/// </summary>
public abstract class ReadOnlyStream : Stream
{
    private long _position;

    public sealed override bool CanRead => true;
    public sealed override bool CanSeek => false;
    public sealed override bool CanWrite => false;
    public sealed override long Length => throw new NotSupportedException("this stream has no known length");

    public sealed override long Position
    {
        get => _position;
        set => throw new NotSupportedException("this stream cannot seek");
    }

    public abstract override int Read(Span<byte> buffer);

    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public sealed override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public sealed override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Counts <paramref name="read"/> bytes as read and returns it.</summary>
    protected int Advance(int read)
    {
        _position += read;
        return read;
    }

    public sealed override void Flush()
    {
    }

    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("this stream cannot seek");

    public sealed override void SetLength(long value) => throw new NotSupportedException("this stream cannot change length");

    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("this stream is read-only");
}
