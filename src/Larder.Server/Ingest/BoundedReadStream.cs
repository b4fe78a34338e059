using Larder.Server.Errors;

namespace Larder.Server.Ingest;

/// <summary>
/// A read-only pass-through stream that fails with HTTP 413 as soon as more than <c>limit</c> bytes come through,
/// so an oversized body (or a compressed body that expands too far) is refused while streaming, before it is stored.
/// </summary>
internal sealed class BoundedReadStream(Stream inner, long limit, string what) : Stream
{
    private long _count;

    /// <summary>Bytes read so far.</summary>
    public long Count => _count;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _count;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Account(inner.Read(buffer));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Account(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    private int Account(int read)
    {
        _count += read;
        if (_count > limit)
        {
            throw new LarderException(ErrorKind.PayloadTooLarge, $"{what} is larger than the limit of {limit} bytes");
        }
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
