using Larder.Nix.Streams;
using Larder.Server.Errors;

namespace Larder.Server.Ingest;

/// <summary>
/// A read-only pass-through stream that fails with HTTP 413 as soon as more than <c>limit</c> bytes come through,
/// so an oversized body (or a compressed body that expands too far) is refused while streaming, before it is stored.
/// </summary>
internal sealed class BoundedReadStream(Stream inner, long limit, string what) : ReadOnlyStream
{
    private long _count;

    public override int Read(Span<byte> buffer) => Account(inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Account(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    private int Account(int read)
    {
        _count += read;
        if (_count > limit)
        {
            throw new PayloadTooLargeException($"{what} is larger than the limit of {limit} bytes");
        }
        return read;
    }
}
