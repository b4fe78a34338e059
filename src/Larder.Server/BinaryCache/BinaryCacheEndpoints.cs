using Larder.Server.Access;
using Larder.Server.BinaryCache.Serving;
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

    private const string Cache = $"/{{{AccessEndpoints.CacheRouteParameter}:{CacheNameRouteConstraint.Name}}}";

    /// <summary>Maps the read and write side of the binary cache protocol for every named cache.</summary>
    public static IEndpointRouteBuilder MapBinaryCache(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        Read(app, "/{file}", static (HttpContext http, string file, BinaryCacheReader reader) => reader.GetFileAsync(http, file), NoteGeneration);
        Read(app, "/nar/{file}", static (HttpContext http, string file, BinaryCacheReader reader) => reader.GetNarAsync(http, file));
        Read(app, "/log/{file}", static (HttpContext http, string file, BinaryCacheReader reader) => reader.GetLogAsync(http, file));
        Write(app, "/{file}", static (HttpContext http, string file, BinaryCacheWriter writer) => writer.PutFileAsync(http, file));
        Write(app, "/nar/{file}", static (HttpContext http, string file, BinaryCacheWriter writer) => writer.PutNarAsync(http, file));
        Write(app, "/log/{file}", static (HttpContext http, string file, BinaryCacheWriter writer) => writer.PutLogAsync(http, file));
        return app;
    }

    private static RouteHandlerBuilder Read(
        IEndpointRouteBuilder app, string file, Delegate handler, Func<EndpointFilterFactoryContext, EndpointFilterDelegate, EndpointFilterDelegate>? beforeAccess = null)
    {
        var endpoint = app.MapMethods(Cache + file, ReadMethods, handler);
        if (beforeAccess is not null)
        {
            // Filters run in the order they are added: this one goes before the access filter.
            endpoint.AddEndpointFilterFactory(beforeAccess);
        }
        return endpoint.RequireCachePermission(Permission.Read);
    }

    /// <summary>Notes the memory's generation before the access filter reads the cache (see <see cref="BinaryCacheReader.NoteGeneration"/>).</summary>
    private static EndpointFilterDelegate NoteGeneration(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var memory = context.ApplicationServices.GetRequiredService<NarInfoMemory>();
        return invocation =>
        {
            BinaryCacheReader.NoteGeneration(invocation.HttpContext, memory);
            return next(invocation);
        };
    }

    private static RouteHandlerBuilder Write(IEndpointRouteBuilder app, string file, Delegate handler) =>
        app.MapMethods(Cache + file, WriteMethods, handler).RequireCachePermission(Permission.Write);
}
