namespace Larder.Nix.Streams;

/// <summary>
/// A read-only stream that yields <c>prefix</c> and then the rest of <c>inner</c>: undoes a peek at the start.
/// Disposing it disposes <c>inner</c> unless <c>leaveOpen</c>.
/// </summary>
public sealed class PrefixedReadStream(byte[] prefix, Stream inner, bool leaveOpen = false) : ReadOnlyStream
{
    private int _prefixUsed;

    public override int Read(Span<byte> buffer) => _prefixUsed < prefix.Length ? TakePrefix(buffer) : inner.Read(buffer);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _prefixUsed < prefix.Length ? ValueTask.FromResult(TakePrefix(buffer.Span)) : inner.ReadAsync(buffer, cancellationToken);

    private int TakePrefix(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, prefix.Length - _prefixUsed);
        prefix.AsSpan(_prefixUsed, n).CopyTo(buffer);
        _prefixUsed += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !leaveOpen)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!leaveOpen)
        {
            await inner.DisposeAsync().ConfigureAwait(false);
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
