using Larder.Server.Access;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Larder.Server.BinaryCache;

/// <summary>
/// Nix's HTTP binary cache protocol, one cache per first path segment: <c>/&lt;cache&gt;/nix-cache-info</c>,
/// <c>/&lt;cache&gt;/&lt;hash&gt;.narinfo</c>, <c>/&lt;cache&gt;/&lt;hash&gt;.ls</c>, <c>/&lt;cache&gt;/nar/…</c>,
/// <c>/&lt;cache&gt;/log/…</c>; GET/HEAD need Read on the cache, PUT needs Write. The first segment must be a valid cache
/// name (<see cref="CacheNameRouteConstraint"/>), so <c>/api/…</c> never reaches these routes.
/// </summary>
public static class BinaryCacheEndpoints
{
    private static readonly string[] ReadMethods = [HttpMethods.Get, HttpMethods.Head];
    private static readonly string[] WriteMethods = [HttpMethods.Put];

    /// <summary>Maps the read and write side of the binary cache protocol for every named cache.</summary>
    public static IEndpointRouteBuilder MapBinaryCache(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        const string Cache = $"/{{{AccessEndpoints.CacheRouteParameter}:{CacheNameRouteConstraint.Name}}}";
        app.MapMethods(Cache + "/{file}", ReadMethods,
                static (HttpContext http, string file, BinaryCacheReader reader) => reader.GetFileAsync(http, file))
            .AddEndpointFilterFactory(static (context, next) =>
            {
                // The hot path: a public narinfo served moments ago is answered before authorization touches the database.
                var reader = context.ApplicationServices.GetRequiredService<BinaryCacheReader>();
                return async invocation => await reader.TryServeRecentNarInfoAsync(invocation.HttpContext).ConfigureAwait(false)
                    ? Results.Empty
                    : await next(invocation).ConfigureAwait(false);
            })
            .RequireCachePermission(Permission.Read);
        app.MapMethods(Cache + "/nar/{file}", ReadMethods,
                static (HttpContext http, string file, BinaryCacheReader reader) => reader.GetNarAsync(http, file))
            .RequireCachePermission(Permission.Read);
        app.MapMethods(Cache + "/log/{file}", ReadMethods,
                static (HttpContext http, string file, BinaryCacheReader reader) => reader.GetLogAsync(http, file))
            .RequireCachePermission(Permission.Read);
        app.MapMethods(Cache + "/{file}", WriteMethods,
                static (HttpContext http, string file, BinaryCacheWriter writer) => writer.PutFileAsync(http, file))
            .RequireCachePermission(Permission.Write);
        app.MapMethods(Cache + "/nar/{file}", WriteMethods,
                static (HttpContext http, string file, BinaryCacheWriter writer) => writer.PutNarAsync(http, file))
            .RequireCachePermission(Permission.Write);
        app.MapMethods(Cache + "/log/{file}", WriteMethods,
                static (HttpContext http, string file, BinaryCacheWriter writer) => writer.PutLogAsync(http, file))
            .RequireCachePermission(Permission.Write);
        return app;
    }
}
