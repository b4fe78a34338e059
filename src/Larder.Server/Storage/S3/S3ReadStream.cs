using Amazon.S3.Model;

namespace Larder.Server.Storage.S3;

/// <summary>
/// The body of a GET, read-only and forward-only. Owns the response (disposing the stream releases the connection) and
/// refuses to end early: if the connection closes before Content-Length bytes arrived, reading throws instead of
/// handing a truncated blob to the caller.
/// </summary>
internal sealed class S3ReadStream(GetObjectResponse response, string key) : Stream
{
    private readonly Stream _body = response.ResponseStream;
    private readonly long _expected = response.ContentLength;
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _expected;

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Count(buffer.Length == 0 ? 0 : _body.Read(buffer), buffer.Length);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = buffer.Length == 0 ? 0 : await _body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Count(n, buffer.Length);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _body.Dispose();
            response.Dispose();
        }
        base.Dispose(disposing);
    }

    private int Count(int n, int requested)
    {
        _read += n;
        if (n == 0 && requested > 0 && _read < _expected)
        {
            throw new IOException($"blob '{key}' ended after {_read} of {_expected} bytes: the object store closed the connection early");
        }
        return n;
    }
}
