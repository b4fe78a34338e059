using Larder.Nix.Hashing;
using Larder.Nix.Streams;

namespace Larder.Server.Maintenance.Verify;

/// <summary>A read-only pass-through stream that feeds every byte read to several hashers at once.</summary>
internal sealed class HashingReadStream(Stream inner, params NixHasher[] hashers) : ReadOnlyStream
{
    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        Feed(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Feed(buffer.Span[..n]);
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void Feed(ReadOnlySpan<byte> data)
    {
        foreach (var hasher in hashers)
        {
            hasher.Append(data);
        }
    }
}
