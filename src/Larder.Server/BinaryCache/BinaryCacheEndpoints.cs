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
    /// <remarks>Each handler is a lambda written at its <c>MapMethods</c> call, so that the endpoints are generated at
    /// compile time (Native AOT has no run-time code generation).</remarks>
    public static IEndpointRouteBuilder MapBinaryCache(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapMethods(Cache + "/{file}", ReadMethods, static (HttpContext http, string file, BinaryCacheReader reader) => reader.GetFileAsync(http, file))
            .AddEndpointFilterFactory(NoteGeneration) // filters run in the order they are added: before the access filter
            .RequireCachePermission(Permission.Read);
        app.MapMethods(Cache + "/nar/{file}", ReadMethods, static (HttpContext http, string file, BinaryCacheReader reader) => reader.GetNarAsync(http, file))
            .RequireCachePermission(Permission.Read);
        app.MapMethods(Cache + "/log/{file}", ReadMethods, static (HttpContext http, string file, BinaryCacheReader reader) => reader.GetLogAsync(http, file))
            .RequireCachePermission(Permission.Read);
        app.MapMethods(Cache + "/{file}", WriteMethods, static (HttpContext http, string file, BinaryCacheWriter writer) => writer.PutFileAsync(http, file))
            .RequireCachePermission(Permission.Write);
        app.MapMethods(Cache + "/nar/{file}", WriteMethods, static (HttpContext http, string file, BinaryCacheWriter writer) => writer.PutNarAsync(http, file))
            .RequireCachePermission(Permission.Write);
        app.MapMethods(Cache + "/log/{file}", WriteMethods, static (HttpContext http, string file, BinaryCacheWriter writer) => writer.PutLogAsync(http, file))
            .RequireCachePermission(Permission.Write);
        return app;
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
}
