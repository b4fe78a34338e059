using Larder.Server.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.Api;

/// <summary>Everything under <c>/api/v1</c> that this folder owns, plus a JSON 404 for unknown API routes.</summary>
public static class ApiEndpoints
{
    /// <summary>Where the OpenAPI document is served.</summary>
    public const string OpenApiPath = "/api/v1/openapi.json";

    /// <summary>Maps the cache and token APIs and the OpenAPI document.</summary>
    public static IEndpointRouteBuilder MapLarderApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapCacheApi();
        app.MapTokenApi();
        app.MapOpenApi(OpenApiPath);
        app.Map("/api/{**rest}", static (HttpContext http) =>
            throw new LarderException(ErrorKind.NotFound, $"no API endpoint {http.Request.Method} {http.Request.Path}"))
            .ExcludeFromDescription();
        return app;
    }
}
