using Larder.Nix.Streams;
using Larder.Server.Metadata;

namespace Larder.Server.Storage.Chunks;

/// <summary>
/// Reads the stored (compressed) bytes of chunks one after another, opening each blob only when the previous one is
/// read to its end: a NAR's file form, streamed. A blob shorter or longer than its recorded size is an
/// <see cref="IOException"/> naming the chunk.
/// </summary>
public sealed class StoredChunksStream(ChunkStore store, IReadOnlyList<ChunkRecord> chunks) : ReadOnlyStream
{
    private int _next;
    private Stream? _current;
    private long _remaining;

    public override int Read(Span<byte> buffer) => throw new NotSupportedException("stored chunks are read asynchronously");

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }
        while (true)
        {
            if (_current is null)
            {
                if (_next == chunks.Count)
                {
                    return 0;
                }
                _remaining = chunks[_next].StoredSize;
                _current = await store.OpenStoredAsync(chunks[_next++], cancellationToken).ConfigureAwait(false);
            }
            var read = await _current.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining + 1)], cancellationToken).ConfigureAwait(false);
            if (read > _remaining || (read == 0 && _remaining > 0))
            {
                throw new IOException($"the stored bytes of chunk {chunks[_next - 1].Hash} do not have their recorded size {chunks[_next - 1].StoredSize}");
            }
            if (read > 0)
            {
                _remaining -= read;
                return read;
            }
            await _current.DisposeAsync().ConfigureAwait(false);
            _current = null;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_current is not null)
        {
            await _current.DisposeAsync().ConfigureAwait(false);
            _current = null;
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _current?.Dispose();
            _current = null;
        }
        base.Dispose(disposing);
    }
}
