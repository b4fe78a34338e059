using System.Buffers;
using System.Runtime.ExceptionServices;

namespace Larder.Nix.Compression;

/// <summary>
/// A read-only stream that decodes compressed data pulled from an inner stream, in bounded memory.
/// Concatenated frames/streams decode as one; the end of the inner stream in the middle of a frame, corrupt data,
/// trailing garbage and an empty input throw <see cref="CompressionException"/>.
/// Not thread-safe; sync and async reads may be mixed.
/// </summary>
public abstract class DecompressingStream : Stream
{
    private const int InputBufferSize = 128 * 1024;

    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private byte[]? _input;
    private int _inputStart;
    private int _inputEnd;
    private bool _innerEnded;
    private bool _sawInput;
    private bool _finished;
    private ExceptionDispatchInfo? _failure;
    private long _totalOut;

    private protected DecompressingStream(Stream inner, CompressionKind kind, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (!inner.CanRead)
        {
            throw new ArgumentException("the inner stream must be readable", nameof(inner));
        }

        _inner = inner;
        _leaveOpen = leaveOpen;
        Kind = kind;
        _input = ArrayPool<byte>.Shared.Rent(InputBufferSize);
    }

    /// <summary>The codec this stream decodes.</summary>
    public CompressionKind Kind { get; }

    /// <summary>Decompressed bytes returned so far.</summary>
    public long BytesDecompressed => _totalOut;

    public override bool CanRead => _input is not null;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// Decodes from <paramref name="input"/> into <paramref name="output"/> (never empty).
    /// <paramref name="endOfInput"/> is true once the inner stream has ended and <paramref name="input"/> holds all
    /// that is left. Returns true when the decoder sits at a clean end: every frame seen so far is complete and
    /// nothing is buffered. Throws <see cref="CompressionException"/> on bad data.
    /// </summary>
    private protected abstract bool Decode(
        ReadOnlySpan<byte> input, Span<byte> output, bool endOfInput, out int consumed, out int written);

    /// <summary>Frees the native decoder.</summary>
    private protected abstract void ReleaseDecoder();

    private protected CompressionException Error(string reason) => new(Kind, reason);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 1 ? one[0] : -1;
    }

    public override int Read(Span<byte> buffer)
    {
        var input = Start();
        if (buffer.IsEmpty || _finished)
        {
            return 0;
        }

        while (true)
        {
            var written = DecodeBuffered(buffer);
            if (written >= 0)
            {
                return written;
            }

            Refilled(_inner.Read(input, 0, input.Length));
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var input = Start();
        if (buffer.IsEmpty || _finished)
        {
            return 0;
        }

        while (true)
        {
            var written = DecodeBuffered(buffer.Span);
            if (written >= 0)
            {
                return written;
            }

            Refilled(await _inner.ReadAsync(input.AsMemory(), cancellationToken).ConfigureAwait(false));
        }
    }

    private byte[] Start()
    {
        _failure?.Throw();
        ObjectDisposedException.ThrowIf(_input is null, this);
        return _input;
    }

    private void Refilled(int read)
    {
        _inputStart = 0;
        _inputEnd = read;
        if (read == 0)
        {
            _innerEnded = true;
        }
        else
        {
            _sawInput = true;
        }
    }

    // Decodes what is buffered: bytes written (> 0), 0 at the clean end of the data, -1 when more input is needed.
    private int DecodeBuffered(Span<byte> output)
    {
        try
        {
            while (true)
            {
                var input = _input.AsSpan(_inputStart, _inputEnd - _inputStart);
                var clean = Decode(input, output, _innerEnded, out var consumed, out var written);
                _inputStart += consumed;
                if (written > 0)
                {
                    _totalOut += written;
                    return written;
                }

                if (consumed > 0)
                {
                    continue;
                }

                if (!input.IsEmpty)
                {
                    throw Error("decoder made no progress on its input");
                }

                if (!_innerEnded)
                {
                    return -1;
                }

                if (!_sawInput)
                {
                    throw Error("empty input (no compressed data at all)");
                }

                if (!clean)
                {
                    throw Error("truncated input (data ends in the middle of a frame)");
                }

                _finished = true;
                return 0;
            }
        }
        catch (CompressionException e)
        {
            _failure = ExceptionDispatchInfo.Capture(e);
            throw;
        }
    }

    /// <summary>
    /// Runs a derived constructor's <paramref name="create"/> (the native decoder); if it throws, frees this base's
    /// pooled memory, leaving the inner stream alone, and rethrows.
    /// </summary>
    private protected TDecoder Construct<TDecoder>(Func<TDecoder> create)
    {
        try
        {
            return create();
        }
        catch
        {
            ReleaseBuffers(releaseDecoder: false);
            GC.SuppressFinalize(this);
            throw;
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && ReleaseBuffers())
        {
            if (!_leaveOpen)
            {
                _inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (ReleaseBuffers() && !_leaveOpen)
        {
            await _inner.DisposeAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    private bool ReleaseBuffers(bool releaseDecoder = true)
    {
        if (_input is null)
        {
            return false;
        }

        if (releaseDecoder)
        {
            ReleaseDecoder();
        }
        ArrayPool<byte>.Shared.Return(_input);
        _input = null;
        return true;
    }
}
