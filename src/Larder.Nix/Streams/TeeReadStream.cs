namespace Larder.Nix.Streams;

/// <summary>
/// A read-only pass-through stream that also writes every byte it hands out to <c>sink</c>: e.g. a NAR parser reads
/// a decompressed upload through it while the same bytes flow into a recompressing sink. Disposes neither stream.
/// </summary>
public sealed class TeeReadStream(Stream source, Stream sink) : ReadOnlyStream
{
    public override int Read(Span<byte> buffer)
    {
        int read = source.Read(buffer);
        sink.Write(buffer[..read]);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read > 0)
        {
            await sink.WriteAsync(buffer[..read], cancellationToken).ConfigureAwait(false);
        }
        return read;
    }
}
