using Larder.Server.Access;
using Larder.Server.Api.Chunks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.Api;

/// <summary>Everything under <c>/api/v1</c> that this folder owns (unknown API routes get a JSON 404 from <c>ErrorMapping</c>).</summary>
public static class ApiEndpoints
{
    /// <summary>Where the OpenAPI document is served.</summary>
    public const string OpenApiPath = "/api/v1/openapi.json";

    /// <summary>Maps the cache, token and chunk APIs, the OpenAPI document and the root page.</summary>
    public static IEndpointRouteBuilder MapLarderApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapCacheApi();
        app.MapCacheKeyApi();
        app.MapTokenApi();
        Oidc.OidcApi.MapOidcApi(app);
        app.MapChunkApi();
        Artifacts.ArtifactApi.MapArtifactApi(app);
        app.MapOpenApi(OpenApiPath).AllowAnyone();
        app.MapRootPage();
        return app;
    }
}
