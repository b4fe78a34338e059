using Larder.Server.Api.Push;
using Microsoft.AspNetCore.Builder;
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
        var group = app.MapGroup("/api/v1/caches/{cache}");
        group.MapPost("/missing", PushHandlers.MissingAsync);
        group.MapPut("/upload", PushHandlers.UploadAsync);
        group.MapPost("/uploads", PushHandlers.CreateUploadAsync);
        group.MapGet("/uploads/{id}", PushHandlers.GetUploadAsync);
        group.MapPatch("/uploads/{id}", PushHandlers.AppendUploadAsync);
        group.MapDelete("/uploads/{id}", PushHandlers.DeleteUploadAsync);
        group.MapPost("/uploads/{id}/complete", PushHandlers.CompleteUploadAsync);
        return app;
    }
}
