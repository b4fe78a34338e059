using System.Buffers;

namespace Larder.Nix.Chunking;

/// <summary>
/// A write-only sink that cuts what is written to it into chunks, exactly as
/// <see cref="FastCdcChunker.ReadChunksAsync"/> would cut the same bytes, and hands each completed chunk to a callback.
/// A write waits for the callback of every chunk it completes (back-pressure), so memory stays within a few MaxSize
/// buffers. Call <see cref="CompleteAsync"/> after the last write to get the final chunk(s); disposing without it
/// discards the unfinished chunk. Synchronous writes block on the callback. Once a callback throws, the chunk
/// sequence has a gap: every later write or completion throws.
/// </summary>
public sealed class ChunkingWriteStream : Stream
{
    private readonly ChunkAccumulator _accumulator;
    private readonly Func<Chunk, CancellationToken, ValueTask> _onChunk;
    private bool _completed;
    private bool _faulted;
    private bool _disposed;

    /// <param name="onChunk">Receives each chunk in order and owns it (it must dispose it).</param>
    /// <param name="bufferPool">
    /// The pool chunk buffers are rented from and returned to (default <see cref="ArrayPool{T}.Shared"/>); a long-lived
    /// process that must not keep many MaxSize arrays resident passes a bounded pool of its own.
    /// </param>
    public ChunkingWriteStream(
        FastCdcChunker chunker, Func<Chunk, CancellationToken, ValueTask> onChunk, ArrayPool<byte>? bufferPool = null)
    {
        ArgumentNullException.ThrowIfNull(onChunk);
        _accumulator = new ChunkAccumulator(chunker, bufferPool ?? ArrayPool<byte>.Shared);
        _onChunk = onChunk;
    }

    /// <summary>Bytes written so far.</summary>
    public override long Length => _accumulator.Length;

    /// <summary>Chunks handed to the callback so far.</summary>
    public int ChunkCount { get; private set; }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_completed && !_faulted && !_disposed;

    public override long Position
    {
        get => _accumulator.Length;
        set => throw new NotSupportedException("a chunking stream cannot seek");
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfNotWritable();
        while (!buffer.IsEmpty)
        {
            buffer = buffer[Take(buffer.Span)..];
            await EmitAsync(isFinal: false, cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfNotWritable();
        while (!buffer.IsEmpty)
        {
            buffer = buffer[Take(buffer)..];
            var emitting = EmitAsync(isFinal: false, CancellationToken.None);
            if (!emitting.IsCompletedSuccessfully)
            {
                emitting.AsTask().GetAwaiter().GetResult();
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>Ends the input: hands the remaining chunk(s) to the callback. Writing afterwards throws.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfNotWritable();
        _completed = true;
        await EmitAsync(isFinal: true, cancellationToken).ConfigureAwait(false);
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("a chunking stream is write-only");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("a chunking stream cannot seek");

    public override void SetLength(long value) => throw new NotSupportedException("a chunking stream cannot change length");

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _accumulator.Dispose();
        }
        base.Dispose(disposing);
    }

    // Copies what fits into the chunk being formed; returns how many bytes that was.
    private int Take(ReadOnlySpan<byte> buffer)
    {
        var free = _accumulator.FreeSpace.Span;
        int count = Math.Min(free.Length, buffer.Length);
        buffer[..count].CopyTo(free);
        _accumulator.Advance(count);
        return count;
    }

    private async ValueTask EmitAsync(bool isFinal, CancellationToken cancellationToken)
    {
        while (_accumulator.TryTakeChunk(isFinal, out var chunk))
        {
            ChunkCount++;
            try
            {
                await _onChunk(chunk, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _faulted = true;
                throw;
            }
        }
    }

    private void ThrowIfNotWritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_faulted)
        {
            throw new InvalidOperationException("a chunk callback failed; the chunks written so far are incomplete");
        }
        if (_completed)
        {
            throw new InvalidOperationException("the chunking stream was completed; no more bytes can be written");
        }
    }
}
