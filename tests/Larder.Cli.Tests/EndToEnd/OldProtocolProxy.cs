using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Larder.Cli.Tests.EndToEnd;

/// <summary>
/// A reverse proxy in front of a real Larder server that answers 404 to the chunk API (<c>chunking</c>, <c>chunks/…</c>,
/// <c>chunked-paths</c>), as a server from before chunking does; every other request and its body are forwarded as
/// they are. A way to reach a real server that takes whole NARs only.
/// </summary>
internal sealed class OldProtocolProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase) { "Host", "Transfer-Encoding", "Connection" };

    private readonly WebApplication _app;
    private readonly HttpClient _forward;

    private OldProtocolProxy(WebApplication app, HttpClient forward)
    {
        _app = app;
        _forward = forward;
    }

    /// <summary><c>http://127.0.0.1:PORT</c>, without a trailing slash.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>Requests answered 404 because they were for the chunk API.</summary>
    public int RefusedChunkRequests { get; private set; }

    public static async Task<OldProtocolProxy> StartAsync(string target)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var forward = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(target),
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var proxy = new OldProtocolProxy(app, forward);
        app.Run(proxy.HandleAsync);
        await app.StartAsync();
        proxy.BaseUrl = app.Urls.Single().TrimEnd('/');
        return proxy;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (path.StartsWith("/api/v1/caches/", StringComparison.Ordinal) &&
            (path.EndsWith("/chunking", StringComparison.Ordinal) || path.Contains("/chunks/", StringComparison.Ordinal) ||
             path.EndsWith("/chunked-paths", StringComparison.Ordinal)))
        {
            RefusedChunkRequests++;
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), path + context.Request.QueryString);
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(context.Request.Body);
        }
        foreach (var (name, values) in context.Request.Headers)
        {
            if (!HopHeaders.Contains(name) && !request.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }
        using var response = await _forward.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopHeaders.Contains(name))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _forward.Dispose();
    }
}
