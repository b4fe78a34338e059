namespace Larder.Nix.Streams;

/// <summary>
/// Base of the forward-only, read-only wrapper streams: a derived class implements the span and memory reads; the
/// array overloads forward to them, and seeking, position, length and writing are refused.
/// </summary>
public abstract class ReadOnlyStream : Stream
{
    public sealed override bool CanRead => true;
    public sealed override bool CanSeek => false;
    public sealed override bool CanWrite => false;
    public sealed override long Length => throw new NotSupportedException("this stream has no known length");

    public sealed override long Position
    {
        get => throw new NotSupportedException("this stream cannot seek");
        set => throw new NotSupportedException("this stream cannot seek");
    }

    public abstract override int Read(Span<byte> buffer);

    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public sealed override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public sealed override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public sealed override void Flush()
    {
    }

    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("this stream cannot seek");

    public sealed override void SetLength(long value) => throw new NotSupportedException("this stream cannot change length");

    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("this stream is read-only");
}
