using System.Text;
using Larder.Nix.Encoding;
using Larder.Nix.Store;
using Larder.Server.BinaryCache;
using Larder.Server.Listings;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.Ui;

/// <summary>
/// Path search (by the start of the hash part or of the name, both served by an index) and a page per path: its
/// narinfo, references and dependents (linked), access times and its file listing as a tree.
/// </summary>
internal static class PathPages
{
    /// <summary>Longest search text accepted.</summary>
    public const int MaxQueryLength = 200;

    private const int MaxResults = 50;
    private const int MaxDependents = 100;

    public static void Map(RouteGroupBuilder ui)
    {
        ui.MapGet("/caches/{name}/search", SearchAsync);
        ui.MapGet("/caches/{name}/paths/{hash}", PathAsync);
    }

    private static async Task<IResult> SearchAsync(HttpContext http, string name, string? q, UiSession session, IMetadataStore store, CancellationToken cancellationToken)
    {
        var token = await session.CurrentTokenAsync(http, cancellationToken).ConfigureAwait(false);
        var cache = await store.GetCacheAsync(name, cancellationToken).ConfigureAwait(false);
        if (cache is null || !UiFormat.MayRead(token, cache))
        {
            return UiFormat.NoSuchCache(http, token is not null);
        }
        var query = ToSearchText(q);
        var page = new UiPage().Html($"""<p><a href="/ui/caches/{UiPage.Text(cache.Name)}">Back to {UiPage.Text(cache.Name)}</a></p>""");
        if (query.Problem is { } problem)
        {
            return page.Html($"<p role=\"alert\">{UiPage.Text(problem)}</p>").Render(http, "Search", token is not null, StatusCodes.Status400BadRequest);
        }
        var found = new List<PathSummary>();
        if (IsHashPrefix(query.Text))
        {
            found.AddRange(await store.FindPathsByHashPrefixAsync(cache.Id, query.Text, MaxResults, cancellationToken).ConfigureAwait(false));
        }
        var byName = await store.FindPathsByNamePrefixAsync(cache.Id, query.Text, MaxResults, cancellationToken).ConfigureAwait(false);
        found.AddRange(byName.Where(p => found.TrueForAll(f => f.HashPart != p.HashPart)));
        page.Html($"<p>Paths whose hash or name starts with <code>{UiPage.Text(query.Text)}</code>{(found.Count >= MaxResults ? $" (the first {MaxResults})" : "")}:</p>");
        PathTable(page, cache, found.Take(MaxResults).ToList(), "No path matches.");
        return page.Render(http, $"Search in {cache.Name}", token is not null);
    }

    private static async Task<IResult> PathAsync(
        HttpContext http, string name, string hash, UiSession session, IMetadataStore store, NarListings listings, CancellationToken cancellationToken)
    {
        var token = await session.CurrentTokenAsync(http, cancellationToken).ConfigureAwait(false);
        var cache = await store.GetCacheAsync(name, cancellationToken).ConfigureAwait(false);
        if (cache is null || !UiFormat.MayRead(token, cache))
        {
            return UiFormat.NoSuchCache(http, token is not null);
        }
        var entry = StorePath.IsValidHashPart(hash) ? await store.GetPathAsync(cache.Id, hash, cancellationToken).ConfigureAwait(false) : null;
        var cacheLink = $"""<p><a href="/ui/caches/{UiPage.Text(cache.Name)}">Back to {UiPage.Text(cache.Name)}</a></p>""";
        if (entry is null)
        {
            return new UiPage().Html(cacheLink).Html("<p>This cache holds no path with that hash.</p>")
                .Render(http, "No such path", token is not null, StatusCodes.Status404NotFound);
        }
        var (path, nar) = (entry.Path, entry.Nar);
        var page = new UiPage().Html(cacheLink).Html($"""
            <dl><dt>Store path</dt><dd><code id="store-path" data-copy="the store path">{UiPage.Text(path.StorePath)}</code></dd>
            <dt>NAR size</dt><dd>{UiFormat.Bytes(nar.NarSize)}</dd>
            <dt>Pushed</dt><dd>{UiFormat.Time(path.CreatedAt)}</dd>
            <dt>Last access</dt><dd>{UiFormat.Time(path.LastAccessedAt)}</dd></dl>
            <section aria-labelledby="narinfo"><h2 id="narinfo">Narinfo</h2><pre>{UiPage.Text(Encoding.UTF8.GetString(NarInfoText.Render(entry)))}</pre></section>
            <section aria-labelledby="references"><h2 id="references">References</h2>
            """);
        var references = path.References.Where(r => !r.StartsWith(path.HashPart, StringComparison.Ordinal)).ToList();
        if (references.Count == 0)
        {
            page.Html("<p>None.</p>");
        }
        else
        {
            page.Html("<ul>");
            foreach (var reference in references)
            {
                page.Html($"""<li><a href="{PathUrl(cache, reference[..StorePath.HashPartLength])}">{UiPage.Text(reference)}</a></li>""");
            }
            page.Html("</ul>");
        }
        page.Html("""</section><section aria-labelledby="dependents"><h2 id="dependents">Paths that reference it</h2>""");
        var dependents = await store.ListDirectDependentsAsync(cache.Id, path.HashPart, MaxDependents, cancellationToken).ConfigureAwait(false);
        PathTable(page, cache, dependents, "None in this cache.");
        page.Html("""</section><section aria-labelledby="files"><h2 id="files">Files</h2>""");
        await ListingTree.AppendAsync(page, listings, nar, cancellationToken).ConfigureAwait(false);
        return page.Html("</section>").Render(http, path.StorePath[(path.StorePath.LastIndexOf('/') + 1)..], token is not null);
    }

    internal static void PathTable(UiPage page, CacheRecord cache, IReadOnlyList<PathSummary> paths, string none)
    {
        if (paths.Count == 0)
        {
            page.Html($"<p>{UiPage.Text(none)}</p>");
            return;
        }
        page.Html("<table><thead><tr><th scope=\"col\">Store path</th><th scope=\"col\">NAR size</th><th scope=\"col\">Last access</th></tr></thead><tbody>");
        foreach (var path in paths)
        {
            page.Html($"""<tr><td><a href="{PathUrl(cache, path.HashPart)}">{UiPage.Text(path.StorePath)}</a></td><td>{UiFormat.Bytes(path.NarSize)}</td><td>{UiFormat.Time(path.LastAccessedAt)}</td></tr>""");
        }
        page.Html("</tbody></table>");
    }

    internal static string PathUrl(CacheRecord cache, string hashPart) =>
        $"/ui/caches/{UiPage.Text(cache.Name)}/paths/{UiPage.Text(hashPart)}";

    /// <summary>The text to search for: a store path or base name pasted whole is reduced to its hash part.</summary>
    private static (string Text, string? Problem) ToSearchText(string? q)
    {
        var text = (q ?? "").Trim();
        if (text.Length == 0)
        {
            return (text, "Type the start of a store path's hash or name.");
        }
        if (text.Length > MaxQueryLength)
        {
            return (text, $"The search text is longer than {MaxQueryLength} characters.");
        }
        var baseName = text[(text.LastIndexOf('/') + 1)..];
        if (baseName.Length > StorePath.HashPartLength && baseName[StorePath.HashPartLength] == '-' && IsHashPrefix(baseName[..StorePath.HashPartLength]))
        {
            return (baseName[..StorePath.HashPartLength], null);
        }
        return baseName.All(IsNameChar) && baseName.Length > 0
            ? (baseName, null)
            : (text, "Store path names hold only letters, digits and + - . _ ? =; paste a hash or the start of a name.");
    }

    private static bool IsHashPrefix(string text) => text.Length <= StorePath.HashPartLength && text.All(NixBase32.IsValidChar);

    private static bool IsNameChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '+' or '-' or '.' or '_' or '?' or '=';
}
