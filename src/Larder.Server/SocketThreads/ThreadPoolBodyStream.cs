using Larder.Nix.Streams;

namespace Larder.Server.SocketThreads;

/// <summary>
/// A request body whose reads always resume on the thread pool: a read that completes on a socket's epoll thread hops
/// to the pool before its caller goes on (hashing, decompressing, writing the bytes it got).
/// </summary>
internal sealed class ThreadPoolBodyStream(Stream inner) : ReadOnlyStream
{
    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (SocketThread.IsCurrent)
        {
            await Task.Yield();
        }
        return read;
    }
}
