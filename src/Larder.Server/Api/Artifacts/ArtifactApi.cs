using Larder.Server.Access;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.Api.Artifacts;

/// <summary>
/// The build-artifact cache under <c>/api/v1/caches/{cache}</c>:
/// <list type="bullet">
/// <item><c>PUT artifacts/{key}</c>: save an archive (a tar, plain or <c>Content-Encoding: zstd</c>, with its SHA-256 in <c>X-Larder-Artifact-Sha256</c>), streamed into chunks (Write).</item>
/// <item><c>GET artifacts/{key}?fallback=K2&amp;fallback=K3</c>: the newest archive of the first key that has one, as zstd, naming the key in <c>X-Larder-Artifact-Key</c> (Read).</item>
/// <item><c>GET artifacts</c>: every stored upload (Read); <c>DELETE artifacts/{key}</c>: every upload of a key (Delete).</item>
/// <item><c>GET/PUT artifact-retention</c>: the cache's own retention limits (Read / Admin).</item>
/// </list>
/// The key route is a catch-all, so that a key with <c>/</c> is refused by name (400) rather than left unrouted.
/// </summary>
public static class ArtifactApi
{
    /// <summary>Maps the artifact endpoints onto <paramref name="app"/>.</summary>
    public static IEndpointRouteBuilder MapArtifactApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/v1/caches/{cache}").WithTags("Artifacts");
        group.MapPut("/artifacts/{**key}", static (string key, HttpContext http, ArtifactHandlers handlers) => handlers.SaveAsync(http, key))
            .WithSummary("Save a build-artifact archive under a key").RequireCachePermission(Permission.Write);
        group.MapGet("/artifacts/{**key}", static (string key, HttpContext http, ArtifactHandlers handlers) => handlers.RestoreAsync(http, key))
            .WithSummary("The newest archive of the first of the key and its fallbacks that has one").RequireCachePermission(Permission.Read);
        group.MapGet("/artifacts", static (HttpContext http, ArtifactHandlers handlers) => handlers.ListAsync(http))
            .WithSummary("Every stored archive upload of the cache").RequireCachePermission(Permission.Read);
        group.MapDelete("/artifacts/{**key}", static (string key, HttpContext http, ArtifactHandlers handlers) => handlers.DeleteAsync(http, key))
            .WithSummary("Delete every archive upload under a key").WithBodyLimit().RequireCachePermission(Permission.Delete);
        group.MapGet("/artifact-retention", static (HttpContext http, ArtifactHandlers handlers) => handlers.GetRetentionAsync(http))
            .WithSummary("The cache's artifact retention limits").RequireCachePermission(Permission.Read);
        group.MapPut("/artifact-retention", static (HttpContext http, ArtifactHandlers handlers) => handlers.SetRetentionAsync(http))
            .WithSummary("Set the cache's artifact retention limits (null: the server default)").WithBodyLimit().RequireCachePermission(Permission.Admin);
        return app;
    }
}
