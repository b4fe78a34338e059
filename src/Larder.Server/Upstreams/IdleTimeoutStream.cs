using Larder.Nix.Streams;

namespace Larder.Server.Upstreams;

/// <summary>
/// Reads <c>inner</c>, failing with <see cref="TimeoutException"/> when one read gets no byte within <c>idleTimeout</c>:
/// an upstream that stalls mid-NAR must not hold the client (or the store) forever. Disposes <c>inner</c>.
/// </summary>
internal sealed class IdleTimeoutStream(Stream inner, TimeSpan idleTimeout) : ReadOnlyStream
{
    public override int Read(Span<byte> buffer) => throw new NotSupportedException("read upstream NARs asynchronously");

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(idleTimeout);
        try
        {
            return await inner.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the upstream sent nothing for {idleTimeout.TotalSeconds:0.#} seconds", e);
        }
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
}
