namespace Larder.Nix.Hashing;

/// <summary>
/// A pass-through stream that hashes and counts every byte going through it: wrap a source and read from it, or
/// wrap a destination and write to it (one direction per instance). Take the result with <see cref="GetHash"/>
/// once done.
/// </summary>
public sealed class HashingStream : Stream
{
    private readonly Stream _inner;
    private readonly NixHasher _hasher;
    private readonly bool _leaveOpen;
    private bool _disposed;

    /// <summary>Wraps <paramref name="inner"/>; bytes read from or written to this stream are hashed with <paramref name="kind"/>.</summary>
    public HashingStream(Stream inner, HashKind kind = HashKind.Sha256, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _hasher = new NixHasher(kind);
        _leaveOpen = leaveOpen;
    }

    /// <summary>Bytes that went through so far.</summary>
    public override long Length => _hasher.Length;

    /// <summary>The hash of the bytes that went through so far.</summary>
    public NixHash GetHash() => _hasher.GetCurrentHash();

    public override bool CanRead => _inner.CanRead;
    public override bool CanWrite => _inner.CanWrite;
    public override bool CanSeek => false;

    public override long Position
    {
        get => _hasher.Length;
        set => throw new NotSupportedException("a hashing stream cannot seek");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read = _inner.Read(buffer);
        _hasher.Append(buffer[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _hasher.Append(buffer.Span[..read]);
        return read;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _inner.Write(buffer);
        _hasher.Append(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        _hasher.Append(buffer.Span);
    }

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("a hashing stream cannot seek");

    public override void SetLength(long value) => throw new NotSupportedException("a hashing stream cannot change length");

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _hasher.Dispose();
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
            _hasher.Dispose();
            if (!_leaveOpen)
            {
                await _inner.DisposeAsync().ConfigureAwait(false);
            }
        }
        GC.SuppressFinalize(this);
    }
}
