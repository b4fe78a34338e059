using Larder.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.Api;

/// <summary><c>GET /</c>: a short plain-text page that tells a visitor what this server is and where to go.</summary>
public static class RootPage
{
    /// <summary>Maps <c>GET /</c>.</summary>
    public static IEndpointRouteBuilder MapRootPage(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/", static (HttpContext http) => TypedResults.Text(Render($"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}")))
            .ExcludeFromDescription()
            .AllowAnyone();
        return app;
    }

    /// <summary>The page for a server reached at <paramref name="baseUrl"/>.</summary>
    public static string Render(string baseUrl) => $"""
        Larder: a Nix binary cache server.

        Caches are served at {baseUrl}/<cache> (use that as a Nix substituter URL).
        API: {baseUrl}/api/v1 (the OpenAPI document is {baseUrl}{ApiEndpoints.OpenApiPath}).
        A web dashboard will be served here in a later version; until then use the `larder` CLI
        (`larder login`, `larder cache list`, `larder use <cache>`).

        """;
}
