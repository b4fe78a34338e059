namespace Larder.Nix.Compression;

/// <summary>
/// Forwards reads or writes to an inner stream unchanged: <see cref="CompressionKind.None"/> as a codec, honouring
/// <c>leaveOpen</c> like the real ones.
/// </summary>
internal sealed class PassThroughStream(Stream inner, bool leaveOpen, bool forWriting) : Stream
{
    private bool _disposed;

    public override bool CanRead => !_disposed && !forWriting;
    public override bool CanSeek => false;
    public override bool CanWrite => !_disposed && forWriting;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        EnsureCan(read: true);
        return inner.Read(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureCan(read: true);
        return inner.ReadAsync(buffer, cancellationToken);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        EnsureCan(read: false);
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureCan(read: false);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush()
    {
        if (!_disposed && forWriting)
        {
            inner.Flush();
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        !_disposed && forWriting ? inner.FlushAsync(cancellationToken) : Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    private void EnsureCan(bool read)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (read == forWriting)
        {
            throw new NotSupportedException(forWriting ? "this stream is write-only" : "this stream is read-only");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            if (forWriting)
            {
                inner.Flush();
            }

            if (!leaveOpen)
            {
                inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            if (forWriting)
            {
                await inner.FlushAsync().ConfigureAwait(false);
            }

            if (!leaveOpen)
            {
                await inner.DisposeAsync().ConfigureAwait(false);
            }
        }

        GC.SuppressFinalize(this);
    }
}
