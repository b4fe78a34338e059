using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Larder.Server.SocketThreads;

/// <summary>
/// The first middleware. Once a request on a plain HTTP/1.x connection is done, the connection's next request is read
/// on the socket's epoll thread: a narinfo that <see cref="BinaryCache.Serving.RememberedAnswers"/> answers from memory
/// is then parsed, answered and sent there without a thread-pool item, as nginx answers from its event loop (a client
/// fetching paths one by one over one connection, as Nix substitutes, otherwise waits for two thread wake-ups per
/// request). Any other request leaves the epoll thread first (<see cref="SocketThread.RunElsewhere"/>). HTTP/2 and TLS
/// connections, and servers with <c>Larder:SocketThreadAnswers</c> false, always use the thread pool.
/// </summary>
internal sealed class SocketThreadGate(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext http)
    {
        if (http.Request.IsHttps || !(HttpProtocol.IsHttp11(http.Request.Protocol) || HttpProtocol.IsHttp10(http.Request.Protocol)) ||
            http.Features.Get<IConnectionSocketFeature>()?.Socket is not { } socket)
        {
            return next(http);
        }
        var answered = next(http);
        if (answered.IsCompletedSuccessfully)
        {
            InlineCompletions.TrySet(socket, inline: true);
            return Task.CompletedTask;
        }
        return ThenReadNextOnSocketThreadAsync(answered, socket);
    }

    private static async Task ThenReadNextOnSocketThreadAsync(Task answered, System.Net.Sockets.Socket socket)
    {
        await answered.ConfigureAwait(false);
        InlineCompletions.TrySet(socket, inline: true);
    }
}
