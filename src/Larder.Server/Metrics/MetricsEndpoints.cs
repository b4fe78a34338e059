using System.Security.Cryptography;
using System.Text;
using Larder.Server.Access;
using Larder.Server.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Larder.Server.Metrics;

/// <summary><c>GET /metrics</c>: <see cref="LarderMetrics"/> in the Prometheus text format, behind <see cref="MetricsOptions.Token"/> when set.</summary>
public static class MetricsEndpoints
{
    private const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics", static async (HttpContext http, LarderMetrics metrics, IOptions<LarderOptions> options) =>
        {
            if (options.Value.Metrics.Token is { Length: > 0 } token && !Presents(http.Request, token))
            {
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                http.Response.Headers.WWWAuthenticate = "Bearer realm=\"larder-metrics\"";
                return;
            }
            http.Response.ContentType = ContentType;
            http.Response.Headers.CacheControl = "no-store";
            await metrics.Registry.CollectAndExportAsTextAsync(http.Response.Body, http.RequestAborted).ConfigureAwait(false);
        })
            .ExcludeFromDescription()
            // Open to anyone, without the access filter: the Bearer value here is the scrape token, not a Larder token.
            .WithMetadata(new AccessRequirement(AccessScope.Anyone));
        return app;
    }

    private static bool Presents(HttpRequest request, string token)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            && CryptographicOperations.FixedTimeEquals(
                SHA256.HashData(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim())), SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }
}
