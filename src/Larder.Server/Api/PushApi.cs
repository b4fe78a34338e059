using Larder.Server.Access;
using Larder.Server.Api.Push;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.Api;

/// <summary>
/// The endpoints <c>larder push</c> uses under <c>/api/v1/caches/{cache}</c>:
/// <list type="bullet">
/// <item><c>POST missing</c>: which of a list of store path hash parts the cache lacks (Read).</item>
/// <item><c>PUT upload</c>: one path in one streaming request: the NAR as body (plain, or <c>Content-Encoding: zstd</c>),
/// its metadata in the <c>X-Larder-Path-Info</c> header; verified and committed like <c>nix copy</c>'s uploads (Write).</item>
/// <item><c>POST uploads</c>, <c>GET|PATCH|DELETE uploads/{id}</c>, <c>POST uploads/{id}/complete</c>: the same, resumable
/// and in parts, for proxies that limit body size (Write).</item>
/// </list>
/// </summary>
public static class PushApi
{
    /// <summary>Maps the push endpoints onto <paramref name="app"/>.</summary>
    public static IEndpointRouteBuilder MapPushApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/v1/caches/{cache}").WithTags("Push");
        group.MapPost("/missing", static (HttpContext http, PushHandlers push) => push.MissingAsync(http))
            .WithSummary("Which of these store path hash parts the cache lacks").RequireCachePermission(Permission.Read);
        group.MapPut("/upload", static (HttpContext http, PushHandlers push) => push.UploadAsync(http))
            .WithSummary("Push one path: its NAR as body, its metadata in X-Larder-Path-Info").RequireCachePermission(Permission.Write);
        group.MapPost("/uploads", static (HttpContext http, PushHandlers push) => push.CreateUploadAsync(http))
            .WithSummary("Start a resumable upload of one path").RequireCachePermission(Permission.Write);
        group.MapGet("/uploads/{id}", static (string id, HttpContext http, PushHandlers push) => push.GetUploadAsync(http, id))
            .WithSummary("Show a resumable upload and how many bytes it holds").RequireCachePermission(Permission.Write);
        group.MapPatch("/uploads/{id}", static (string id, HttpContext http, PushHandlers push) => push.AppendUploadAsync(http, id))
            .WithSummary("Append a part at Upload-Offset").RequireCachePermission(Permission.Write);
        group.MapDelete("/uploads/{id}", static (string id, HttpContext http, PushHandlers push) => push.DeleteUploadAsync(http, id))
            .WithSummary("Abandon a resumable upload").RequireCachePermission(Permission.Write);
        group.MapPost("/uploads/{id}/complete", static (string id, HttpContext http, PushHandlers push) => push.CompleteUploadAsync(http, id))
            .WithSummary("Verify and publish a finished upload").RequireCachePermission(Permission.Write);
        return app;
    }
}
