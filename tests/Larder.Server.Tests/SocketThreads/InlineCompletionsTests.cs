using System.Net.Sockets;
using Larder.Server.SocketThreads;

namespace Larder.Server.Tests.SocketThreads;

public sealed class InlineCompletionsTests
{
    [Fact]
    public async Task A_socket_set_inline_completes_its_reads_on_the_epoll_thread_and_off_the_thread_pool_when_unset()
    {
        Assert.True(InlineCompletions.IsAvailable, "this runtime has no per-socket inline completions: Larder would serve through the thread pool only");
        using var pair = await SocketPair.ConnectAsync();
        var (server, client) = (pair.Server, pair.Client);
        Assert.True(InlineCompletions.TrySet(server, inline: true));
        Assert.True(InlineCompletions.TryGet(server));
        var (onPool, name) = await ReceiveOneAsync(server, client);
        Assert.False(onPool);
        Assert.Equal(".NET Sockets", name);

        Assert.True(InlineCompletions.TrySet(server, inline: false));
        Assert.False(InlineCompletions.TryGet(server));
        (onPool, _) = await ReceiveOneAsync(server, client);
        Assert.True(onPool);
    }

    private static async Task<(bool OnThreadPool, string? ThreadName)> ReceiveOneAsync(Socket server, Socket client)
    {
        var buffer = new byte[1];
        var receive = ReceiveAndObserveAsync(server, buffer);
        // The read must be pending on the epoll thread before the byte arrives, or it completes synchronously.
        await Task.Delay(100);
        Assert.False(receive.IsCompleted);
        await client.SendAsync(new byte[] { 42 });
        return await receive;
    }

    private static async Task<(bool, string?)> ReceiveAndObserveAsync(Socket socket, byte[] buffer)
    {
        // Not on the test's synchronization context: xunit's (when the test runs on one of its own threads) would run
        // the continuation there instead of where the socket completed the read.
        var read = await socket.ReceiveAsync(buffer).ConfigureAwait(false);
        Assert.Equal(1, read);
        return (Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name);
    }
}
