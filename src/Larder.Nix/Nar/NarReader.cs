using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Larder.Nix.Hashing;

namespace Larder.Nix.Nar;

/// <summary>
/// Buffered, offset-tracking reader of NAR strings over a stream. Every byte taken from the input is also fed to a
/// SHA-256 hash, so the NarHash and NarSize come out of the same pass that validates the archive.
/// </summary>
internal sealed class NarReader : IDisposable
{
    private const int BufferSize = 64 * 1024;

    private readonly Stream _input;
    private readonly NixHasher _hash = new(HashKind.Sha256);
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _start;
    private int _end;
    private long _bufferOffset; // archive offset of _buffer[0]

    public NarReader(Stream input) => _input = input;

    /// <summary>Archive offset of the next unread byte.</summary>
    public long Offset => _bufferOffset + _start;

    /// <summary>Total bytes read from the input so far (equals <see cref="Offset"/> once the input is drained).</summary>
    public long BytesRead => _bufferOffset + _end;

    public NixHash GetHash() => _hash.GetHashAndReset();

    /// <summary>Reads a u64 length prefix.</summary>
    public async ValueTask<ulong> ReadU64Async(CancellationToken cancellationToken)
    {
        await EnsureAsync(8, cancellationToken).ConfigureAwait(false);
        var value = BinaryPrimitives.ReadUInt64LittleEndian(_buffer.AsSpan(_start, 8));
        _start += 8;
        return value;
    }

    /// <summary>
    /// Reads a string of at most <paramref name="maxLength"/> bytes (else fails naming <paramref name="what"/>),
    /// checks its padding, and returns it; the memory is valid until the next call.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReadStringAsync(int maxLength, string what, CancellationToken cancellationToken)
    {
        var start = Offset;
        var length = await ReadU64Async(cancellationToken).ConfigureAwait(false);
        if (length > (ulong)maxLength)
        {
            Fail(start, $"{what} length {length} exceeds the limit of {maxLength} bytes");
        }
        var padded = (int)length + NarTokens.PaddingFor((long)length);
        await EnsureAsync(padded, cancellationToken).ConfigureAwait(false);
        var value = _buffer.AsMemory(_start, (int)length);
        CheckPadding(_buffer.AsSpan(_start + (int)length, padded - (int)length), Offset + (int)length);
        _start += padded;
        return value;
    }

    /// <summary>Reads a keyword and fails unless it is <paramref name="expected"/>.</summary>
    public async ValueTask ExpectAsync(byte[] expected, CancellationToken cancellationToken)
    {
        var start = Offset;
        var token = await ReadStringAsync(NarTokens.MaxTokenLength, "keyword", cancellationToken).ConfigureAwait(false);
        if (!token.Span.SequenceEqual(expected))
        {
            Fail(start, $"expected '{System.Text.Encoding.UTF8.GetString(expected)}', found {Describe(token.Span)}");
        }
    }

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes of file contents (never more than asked).</summary>
    public async ValueTask<int> ReadContentsAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }
        if (_start == _end)
        {
            if (destination.Length >= _buffer.Length / 2)
            {
                // Large reads skip the buffer: straight from the input into the caller's memory.
                var direct = await _input.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
                if (direct == 0)
                {
                    Fail(Offset, "unexpected end of input (truncated archive)");
                }
                _hash.Append(destination.Span[..direct]);
                _bufferOffset += direct;
                return direct;
            }
            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
        var n = Math.Min(destination.Length, _end - _start);
        _buffer.AsSpan(_start, n).CopyTo(destination.Span);
        _start += n;
        return n;
    }

    /// <summary>Skips <paramref name="count"/> content bytes (still hashing them).</summary>
    public async ValueTask SkipContentsAsync(long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (_start == _end)
            {
                await FillAsync(cancellationToken).ConfigureAwait(false);
            }
            var n = (int)Math.Min(count, _end - _start);
            _start += n;
            count -= n;
        }
    }

    /// <summary>Consumes and checks the zero padding after <paramref name="length"/> content bytes.</summary>
    public async ValueTask ReadPaddingAsync(long length, CancellationToken cancellationToken)
    {
        var padding = NarTokens.PaddingFor(length);
        await EnsureAsync(padding, cancellationToken).ConfigureAwait(false);
        CheckPadding(_buffer.AsSpan(_start, padding), Offset);
        _start += padding;
    }

    /// <summary>Fails if the input has any byte left.</summary>
    public async ValueTask ExpectEndAsync(CancellationToken cancellationToken)
    {
        if (_start < _end || await TryFillAsync(cancellationToken).ConfigureAwait(false))
        {
            Fail(Offset, "trailing data after the end of the archive");
        }
    }

    [DoesNotReturn]
    public static void Fail(long offset, string reason) => throw new NarFormatException(offset, reason);

    /// <summary>A short, printable rendering of an unexpected string for error messages.</summary>
    public static string Describe(ReadOnlySpan<byte> value)
    {
        var shown = value.Length > 32 ? value[..32] : value;
        var sb = new StringBuilder("'");
        foreach (var b in shown)
        {
            if (b is >= 0x20 and < 0x7f && b != (byte)'\'' && b != (byte)'\\')
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append($"\\x{b:x2}");
            }
        }
        sb.Append(value.Length > 32 ? "'..." : "'");
        return sb.ToString();
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        _hash.Dispose();
    }

    private static void CheckPadding(ReadOnlySpan<byte> padding, long offset)
    {
        var bad = padding.IndexOfAnyExcept((byte)0);
        if (bad >= 0)
        {
            Fail(offset + bad, "non-zero padding byte");
        }
    }

    private ValueTask EnsureAsync(int count, CancellationToken cancellationToken) =>
        _end - _start >= count ? ValueTask.CompletedTask : EnsureSlowAsync(count, cancellationToken);

    private async ValueTask EnsureSlowAsync(int count, CancellationToken cancellationToken)
    {
        while (_end - _start < count)
        {
            if (!await TryFillAsync(cancellationToken).ConfigureAwait(false))
            {
                Fail(BytesRead, "unexpected end of input (truncated archive)");
            }
        }
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (!await TryFillAsync(cancellationToken).ConfigureAwait(false))
        {
            Fail(BytesRead, "unexpected end of input (truncated archive)");
        }
    }

    /// <summary>Reads more input behind the unread bytes; false at end of input.</summary>
    private async ValueTask<bool> TryFillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            var unread = _end - _start;
            _buffer.AsSpan(_start, unread).CopyTo(_buffer);
            _bufferOffset += _start;
            _start = 0;
            _end = unread;
        }
        var n = await _input.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            return false;
        }
        _hash.Append(_buffer.AsSpan(_end, n));
        _end += n;
        return true;
    }
}
