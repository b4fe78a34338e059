using Larder.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace Larder.Server.Tests.Upstreams;

/// <summary>
/// An upstream binary cache as cache.nixos.org is one: a folder written by the real Nix (<c>nix copy --to file://…</c>,
/// signed with the Nix peer's key) served by Kestrel's static files, in process. It counts the requests it gets and can
/// be told to hang, to answer 500 or to stall in the middle of a NAR, as a failing upstream would.
/// </summary>
public sealed class StaticBinaryCache : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TempDirectory _folder;
    private int _requests;

    private StaticBinaryCache(WebApplication app, TempDirectory folder)
    {
        _app = app;
        _folder = folder;
    }

    /// <summary>The cache's URL (<c>http://127.0.0.1:PORT</c>).</summary>
    public string Url { get; private set; } = "";

    /// <summary>The folder Nix writes the cache into.</summary>
    public string Folder => _folder.Path;

    /// <summary>What it does with requests now.</summary>
    public UpstreamBehaviour Behaviour { get; set; } = UpstreamBehaviour.Serve;

    /// <summary>Requests received so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public static async Task<StaticBinaryCache> StartAsync()
    {
        var folder = new TempDirectory("larder-upstream");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var cache = new StaticBinaryCache(app, folder);
        app.Use(cache.InterceptAsync);
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(folder.Path), ServeUnknownFileTypes = true });
        await app.StartAsync();
        cache.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
        return cache;
    }

    /// <summary>Copies <paramref name="storePath"/>'s closure into the cache with the real Nix, signed with the peer's key.</summary>
    public async Task CopyAsync(NixPeer nix, string storePath, string compression)
    {
        (await nix.RunNixAsync(
            "nix", "copy", "--to", $"file://{Folder}?compression={compression}&secret-key={nix.SecretKeyFile}", storePath)).EnsureSuccess();
    }

    private async Task InterceptAsync(HttpContext http, RequestDelegate next)
    {
        Interlocked.Increment(ref _requests);
        switch (Behaviour)
        {
            case UpstreamBehaviour.Hang:
                await HangAsync(http);
                return;
            case UpstreamBehaviour.StallNar when http.Request.Path.StartsWithSegments("/nar", StringComparison.Ordinal):
                await SendHalfThenHangAsync(http);
                return;
            case UpstreamBehaviour.Fail:
                http.Response.StatusCode = StatusCodes.Status500InternalServerError;
                return;
            default:
                await next(http);
                return;
        }
    }

    private static async Task HangAsync(HttpContext http)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, http.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Promises the whole file (its Content-Length), sends the first half and stops sending.</summary>
    private async Task SendHalfThenHangAsync(HttpContext http)
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(Folder, http.Request.Path.Value!.TrimStart('/')));
        http.Response.ContentLength = bytes.Length;
        await http.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
        await http.Response.Body.FlushAsync();
        await HangAsync(http);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _folder.Dispose();
    }
}

/// <summary>How a <see cref="StaticBinaryCache"/> answers.</summary>
public enum UpstreamBehaviour
{
    Serve,
    Hang,
    Fail,

    /// <summary>Serves narinfos; sends headers and half of each NAR, then nothing more.</summary>
    StallNar,
}
