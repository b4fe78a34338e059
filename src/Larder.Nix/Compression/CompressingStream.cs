using System.Buffers;

namespace Larder.Nix.Compression;

/// <summary>
/// A write-only stream that compresses into an inner stream in bounded memory. <see cref="Flush()"/> makes
/// everything written so far decodable; <see cref="Finish"/>/<see cref="FinishAsync"/> (or disposing) ends the
/// frame. A stream disposed without finishing still ends its frame, so the output is always complete.
/// Not thread-safe.
/// </summary>
public abstract class CompressingStream : Stream
{
    private const int OutputBufferSize = 128 * 1024;

    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private byte[]? _output;
    private int _outputCount;
    private bool _finished;
    private long _totalIn;
    private long _totalOut;
    private int _lastWritten;

    private protected CompressingStream(Stream inner, CompressionKind kind, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (!inner.CanWrite)
        {
            throw new ArgumentException("the inner stream must be writable", nameof(inner));
        }

        _inner = inner;
        _leaveOpen = leaveOpen;
        Kind = kind;
        _output = ArrayPool<byte>.Shared.Rent(OutputBufferSize);
    }

    /// <summary>The codec this stream encodes with.</summary>
    public CompressionKind Kind { get; }

    /// <summary>Uncompressed bytes written so far.</summary>
    public long BytesIn => _totalIn;

    /// <summary>Compressed bytes produced so far (including those still buffered here).</summary>
    public long BytesOut => _totalOut;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => _output is not null && !_finished;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// Encodes from <paramref name="input"/> into <paramref name="output"/> (never empty). For
    /// <see cref="EncodeAction.Process"/> returns whether all input was consumed; for Flush and Finish (called with
    /// empty input until they return true) whether everything has been emitted.
    /// </summary>
    private protected abstract bool Encode(
        ReadOnlySpan<byte> input, Span<byte> output, EncodeAction action, out int consumed, out int written);

    /// <summary>Frees the native encoder.</summary>
    private protected abstract void ReleaseEncoder();

    private protected CompressionException Error(string reason) => new(Kind, reason);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var output = StartWrite();
        while (!buffer.IsEmpty)
        {
            var consumed = Step(buffer, EncodeAction.Process, out _);
            buffer = buffer[consumed..];
            ThrowIfStalled(consumed, output);
            if (_outputCount == output.Length)
            {
                _inner.Write(output, 0, _outputCount);
                _outputCount = 0;
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var output = StartWrite();
        while (!buffer.IsEmpty)
        {
            var consumed = Step(buffer.Span, EncodeAction.Process, out _);
            buffer = buffer[consumed..];
            ThrowIfStalled(consumed, output);
            if (_outputCount == output.Length)
            {
                await _inner.WriteAsync(output.AsMemory(0, _outputCount), cancellationToken).ConfigureAwait(false);
                _outputCount = 0;
            }
        }
    }

    /// <summary>Makes everything written so far decodable and flushes the inner stream.</summary>
    public override void Flush()
    {
        if (_output is null || _finished)
        {
            return;
        }

        Drain(EncodeAction.Flush);
        _inner.Flush();
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_output is null || _finished)
        {
            return;
        }

        await DrainAsync(EncodeAction.Flush, cancellationToken).ConfigureAwait(false);
        await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the frame and writes it out; further writes throw. Disposing does this too.</summary>
    public void Finish()
    {
        ObjectDisposedException.ThrowIf(_output is null, this);
        if (_finished)
        {
            return;
        }

        Drain(EncodeAction.Finish);
        _finished = true;
        _inner.Flush();
    }

    /// <inheritdoc cref="Finish"/>
    public async Task FinishAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_output is null, this);
        if (_finished)
        {
            return;
        }

        await DrainAsync(EncodeAction.Finish, cancellationToken).ConfigureAwait(false);
        _finished = true;
        await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private byte[] StartWrite()
    {
        ObjectDisposedException.ThrowIf(_output is null, this);
        if (_finished)
        {
            throw new InvalidOperationException("the compressed stream is already finished");
        }

        return _output;
    }

    // Runs the encoder once into the free part of the output buffer; returns the input consumed.
    private int Step(ReadOnlySpan<byte> input, EncodeAction action, out bool done)
    {
        done = Encode(input, _output.AsSpan(_outputCount), action, out var consumed, out var written);
        _outputCount += written;
        _lastWritten = written;
        _totalIn += consumed;
        _totalOut += written;
        return consumed;
    }

    // An encoder that neither consumes nor emits while it has room would loop forever: fail loudly instead.
    private void ThrowIfStalled(int consumed, byte[] output)
    {
        if (consumed == 0 && _outputCount < output.Length && _lastWritten == 0)
        {
            throw Error("encoder made no progress on its input");
        }
    }

    private void Drain(EncodeAction action)
    {
        var output = _output!;
        bool done;
        do
        {
            Step([], action, out done);
            if (_outputCount == output.Length || (done && _outputCount > 0))
            {
                _inner.Write(output, 0, _outputCount);
                _outputCount = 0;
            }
        }
        while (!done);
    }

    private async Task DrainAsync(EncodeAction action, CancellationToken cancellationToken)
    {
        var output = _output!;
        bool done;
        do
        {
            Step([], action, out done);
            if (_outputCount == output.Length || (done && _outputCount > 0))
            {
                await _inner.WriteAsync(output.AsMemory(0, _outputCount), cancellationToken).ConfigureAwait(false);
                _outputCount = 0;
            }
        }
        while (!done);
    }

    /// <summary>
    /// Runs a derived constructor's <paramref name="create"/> (checks and the native encoder); if it throws, frees this
    /// base's pooled memory, leaving the inner stream alone, and rethrows.
    /// </summary>
    private protected TEncoder Construct<TEncoder>(Func<TEncoder> create)
    {
        try
        {
            return create();
        }
        catch
        {
            Release(releaseEncoder: false);
            GC.SuppressFinalize(this);
            throw;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _output is not null)
        {
            try
            {
                Finish();
            }
            finally
            {
                Release();
                if (!_leaveOpen)
                {
                    _inner.Dispose();
                }
            }
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_output is not null)
        {
            try
            {
                await FinishAsync().ConfigureAwait(false);
            }
            finally
            {
                Release();
                if (!_leaveOpen)
                {
                    await _inner.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        GC.SuppressFinalize(this);
    }

    private void Release(bool releaseEncoder = true)
    {
        if (_output is null)
        {
            return;
        }

        if (releaseEncoder)
        {
            ReleaseEncoder();
        }
        ArrayPool<byte>.Shared.Return(_output);
        _output = null;
    }
}
