using Larder.Nix.Streams;

namespace Larder.Server.Storage.Packs;

/// <summary>
/// The first <c>length</c> bytes of a stream, then its end: a range of a blob opened at the range's start (a chunk, or
/// a run of neighbouring chunks, inside a pack). Disposing it disposes the inner stream.
/// </summary>
public sealed class RangeReadStream(Stream inner, long length) : ReadOnlyStream
{
    private long _remaining = length;

    /// <summary>Whether the range is read from a local file (whose reads never wait on the network).</summary>
    public bool ReadsLocalFile => inner is FileStream;

    public override int Read(Span<byte> buffer)
    {
        if (_remaining == 0 || buffer.IsEmpty)
        {
            return 0;
        }
        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        _remaining -= read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining == 0 || buffer.IsEmpty)
        {
            return 0;
        }
        var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
        _remaining -= read;
        return read;
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
