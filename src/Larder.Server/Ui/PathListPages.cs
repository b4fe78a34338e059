using Larder.Nix.Store;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.Ui;

/// <summary>
/// Every path of a cache by name, a page at a time. A page continues after the base name (<c>hash-name</c>) of the
/// last path of the one before (<c>?after=</c>), so a deep page costs what the first does: one index range.
/// </summary>
internal static class PathListPages
{
    private const int PageSize = 100;

    public static void Map(RouteGroupBuilder ui) => ui.MapGet("/caches/{name}/paths", ListAsync);

    private static async Task<IResult> ListAsync(HttpContext http, string name, string? after, UiSession session, IMetadataStore store, CancellationToken cancellationToken)
    {
        var token = await session.CurrentTokenAsync(http, cancellationToken).ConfigureAwait(false);
        var cache = await store.GetCacheAsync(name, cancellationToken).ConfigureAwait(false);
        if (cache is null || !UiFormat.MayRead(token, cache))
        {
            return UiFormat.NoSuchCache(http, token is not null);
        }
        var cacheUrl = $"/ui/caches/{UiPage.Text(cache.Name)}";
        var page = new UiPage().Html($"""<p><a href="{cacheUrl}">Back to {UiPage.Text(cache.Name)}</a></p>""");
        var (afterHashPart, afterName) = ("", "");
        if (!string.IsNullOrEmpty(after))
        {
            if (after.Length <= StorePath.HashPartLength + 1 || after[StorePath.HashPartLength] != '-' || !StorePath.IsValidHashPart(after[..StorePath.HashPartLength]))
            {
                return page.Html("<p role=\"alert\">The page to continue after must be a store path's base name (hash-name).</p>")
                    .Render(http, $"Paths of {cache.Name}", token is not null, StatusCodes.Status400BadRequest);
            }
            (afterHashPart, afterName) = (after[..StorePath.HashPartLength], after[(StorePath.HashPartLength + 1)..]);
        }
        var paths = await store.ListPathsByNameAsync(cache.Id, afterName, afterHashPart, PageSize, cancellationToken).ConfigureAwait(false);
        page.Html(afterName.Length == 0 ? "<p>Paths by name, from the start.</p>" : $"<p>Paths by name, after <code>{UiPage.Text(after!)}</code>.</p>");
        PathPages.PathTable(page, cache, paths, "No more paths.");
        if (paths.Count == PageSize)
        {
            var last = paths[^1].StorePath[(paths[^1].StorePath.LastIndexOf('/') + 1)..];
            page.Html($"""<p><a rel="next" href="{cacheUrl}/paths?after={Uri.EscapeDataString(last)}">Next {PageSize} paths</a></p>""");
        }
        return page.Render(http, $"Paths of {cache.Name}", token is not null);
    }
}
