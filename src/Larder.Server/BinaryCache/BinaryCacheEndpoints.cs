using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.BinaryCache;

/// <summary>
/// Nix's HTTP binary cache protocol, one cache per first path segment: <c>/&lt;cache&gt;/nix-cache-info</c>,
/// <c>/&lt;cache&gt;/&lt;hash&gt;.narinfo</c>, <c>/&lt;cache&gt;/&lt;hash&gt;.ls</c>, <c>/&lt;cache&gt;/nar/…</c>,
/// <c>/&lt;cache&gt;/log/…</c>; GET/HEAD read, PUT writes.
/// </summary>
public static class BinaryCacheEndpoints
{
    private static readonly string[] ReadMethods = [HttpMethods.Get, HttpMethods.Head];
    private static readonly string[] WriteMethods = [HttpMethods.Put];

    /// <summary>Maps the read and write side of the binary cache protocol for every named cache.</summary>
    public static IEndpointRouteBuilder MapBinaryCache(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Literal routes (/api/…) take precedence over these parameter routes.
        app.MapMethods("/{cache}/{file}", ReadMethods,
            static (HttpContext http, string cache, string file, BinaryCacheReader reader) => reader.GetFileAsync(http, cache, file));
        app.MapMethods("/{cache}/nar/{file}", ReadMethods,
            static (HttpContext http, string cache, string file, BinaryCacheReader reader) => reader.GetNarAsync(http, cache, file));
        app.MapMethods("/{cache}/log/{file}", ReadMethods,
            static (HttpContext http, string cache, string file, BinaryCacheReader reader) => reader.GetLogAsync(http, cache, file));
        app.MapMethods("/{cache}/{file}", WriteMethods,
            static (HttpContext http, string cache, string file, BinaryCacheWriter writer) => writer.PutFileAsync(http, cache, file));
        app.MapMethods("/{cache}/nar/{file}", WriteMethods,
            static (HttpContext http, string cache, string file, BinaryCacheWriter writer) => writer.PutNarAsync(http, cache, file));
        app.MapMethods("/{cache}/log/{file}", WriteMethods,
            static (HttpContext http, string cache, string file, BinaryCacheWriter writer) => writer.PutLogAsync(http, cache, file));
        return app;
    }
}
