using Larder.Nix.Hashing;

namespace Larder.Nix.Streams;

/// <summary>
/// A pass-through stream that hashes and counts every byte going through it: wrap a source and read from it, or
/// wrap a destination and write to it (one direction per instance). Take the result with <see cref="GetHash"/>
/// once done, or feed hashers of your own (several at once, e.g. one per chunk and one across chunks).
/// </summary>
public sealed class HashingStream : Stream
{
    private readonly Stream _inner;
    private readonly NixHasher[] _hashers;
    private readonly bool _ownsHashers;
    private readonly bool _leaveOpen;
    private long _length;
    private bool _disposed;

    /// <summary>Wraps <paramref name="inner"/>; bytes read from or written to this stream are hashed with <paramref name="kind"/>.</summary>
    public HashingStream(Stream inner, HashKind kind = HashKind.Sha256, bool leaveOpen = false)
        : this(inner, [new NixHasher(kind)], ownsHashers: true, leaveOpen)
    {
    }

    /// <summary>
    /// Wraps <paramref name="inner"/>; bytes read from or written to this stream are appended to each of
    /// <paramref name="hashers"/> (at least one), which the caller keeps and disposes. <see cref="GetHash"/> is the first one's.
    /// </summary>
    public HashingStream(Stream inner, IEnumerable<NixHasher> hashers, bool leaveOpen = false)
        : this(inner, [.. hashers ?? throw new ArgumentNullException(nameof(hashers))], ownsHashers: false, leaveOpen)
    {
    }

    private HashingStream(Stream inner, NixHasher[] hashers, bool ownsHashers, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (hashers.Length == 0)
        {
            throw new ArgumentException("at least one hasher is needed", nameof(hashers));
        }
        _inner = inner;
        _hashers = hashers;
        _ownsHashers = ownsHashers;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Bytes that went through so far.</summary>
    public override long Length => _length;

    /// <summary>The hash of the bytes that went through so far (with the first hasher).</summary>
    public NixHash GetHash() => _hashers[0].GetCurrentHash();

    public override bool CanRead => _inner.CanRead;
    public override bool CanWrite => _inner.CanWrite;
    public override bool CanSeek => false;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException("a hashing stream cannot seek");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read = _inner.Read(buffer);
        Append(buffer[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Append(buffer.Span[..read]);
        return read;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _inner.Write(buffer);
        Append(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        Append(buffer.Span);
    }

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("a hashing stream cannot seek");

    public override void SetLength(long value) => throw new NotSupportedException("a hashing stream cannot change length");

    private void Append(ReadOnlySpan<byte> data)
    {
        _length += data.Length;
        foreach (var hasher in _hashers)
        {
            hasher.Append(data);
        }
    }

    private void ReleaseHashers()
    {
        if (_ownsHashers)
        {
            _hashers[0].Dispose();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            ReleaseHashers();
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
            ReleaseHashers();
            if (!_leaveOpen)
            {
                await _inner.DisposeAsync().ConfigureAwait(false);
            }
        }
        GC.SuppressFinalize(this);
    }
}
