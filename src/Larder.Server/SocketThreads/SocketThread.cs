using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Larder.Server.SocketThreads;

/// <summary>
/// A request read on a socket's epoll thread (<see cref="SocketThreadGate"/>) may be answered there only from memory:
/// anything else (a database or file read, routing, a request body) is first moved to the thread pool with
/// <see cref="RunElsewhere"/>, and its connection's completions go back to the thread pool until the request ends, so
/// that nothing it awaits later resumes on the epoll thread either.
/// </summary>
internal static class SocketThread
{
    /// <summary>Whether the current code runs outside the thread pool: on a socket's epoll thread when serving.</summary>
    public static bool IsCurrent => !Thread.CurrentThread.IsThreadPoolThread;

    /// <summary>Runs <paramref name="work"/> at once when on the thread pool, else after moving there.</summary>
    public static Task RunElsewhere(HttpContext http, RequestDelegate work) => IsCurrent ? MoveThenRunAsync(http, work) : work(http);

    private static async Task MoveThenRunAsync(HttpContext http, RequestDelegate work)
    {
        if (http.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
        {
            InlineCompletions.TrySet(socket, inline: false);
        }
        if (http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            // Kestrel's receive loop that read this request may go on reading its body on the epoll thread until a read
            // pends; the body's consumer must not follow it there.
            http.Request.Body = new ThreadPoolBodyStream(http.Request.Body);
        }
        await Task.Yield();
        await work(http).ConfigureAwait(false);
    }
}
