namespace Larder.Nix.Nar;

/// <summary>Read-only view of one file's contents inside a NAR: exactly <see cref="Length"/> bytes, then end of stream.</summary>
internal sealed class NarContentStream(NarReader reader, long length) : Stream
{
    private long _position;

    public long Remaining => length - _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException("NAR file contents cannot seek");
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Remaining == 0 || buffer.IsEmpty)
        {
            return 0;
        }
        if (buffer.Length > Remaining)
        {
            buffer = buffer[..(int)Remaining];
        }
        var n = await reader.ReadContentsAsync(buffer, cancellationToken).ConfigureAwait(false);
        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // The parser reads its input asynchronously; synchronous reads would block on that.
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    /// <summary>Skips what the visitor did not read, so the parser can continue after the contents.</summary>
    internal ValueTask SkipRestAsync(CancellationToken cancellationToken)
    {
        var rest = Remaining;
        _position = length;
        return reader.SkipContentsAsync(rest, cancellationToken);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("NAR file contents cannot seek");
    public override void SetLength(long value) => throw new NotSupportedException("NAR file contents are read-only");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("NAR file contents are read-only");
}
