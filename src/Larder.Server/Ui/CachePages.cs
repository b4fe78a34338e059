using Larder.Nix.Signing;
using Larder.Server.Api;
using Larder.Server.Configuration;
using Larder.Server.Maintenance.Gc;
using Larder.Server.Metadata;
using Larder.Server.Ui.Admin;
using Larder.Server.Ui.Traffic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Larder.Server.Ui;

/// <summary>
/// The list of caches the visitor may read, and a page per cache: size, retention, traffic, how to use it, search,
/// recent events, largest paths, pins, and for a token with admin on the cache its settings and garbage collection.
/// </summary>
internal static class CachePages
{
    private const int RecentEvents = 20;
    private const int LargestPaths = 20;

    public static void Map(RouteGroupBuilder ui)
    {
        ui.MapGet("/", CachesAsync);
        ui.MapGet("/caches/{name}", CacheAsync);
    }

    private static async Task<IResult> CachesAsync(HttpContext http, UiSession session, IMetadataStore store, CancellationToken cancellationToken)
    {
        var token = await session.CurrentTokenAsync(http, cancellationToken).ConfigureAwait(false);
        return await ListPageAsync(http, token, store, problem: null, StatusCodes.Status200OK, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The caches the visitor may read, with the create form for a token that may create one, and a refusal to show first.</summary>
    public static async Task<IResult> ListPageAsync(
        HttpContext http, TokenRecord? token, IMetadataStore store, string? problem, int statusCode, CancellationToken cancellationToken)
    {
        var visible = (await store.ListCachesAsync(cancellationToken).ConfigureAwait(false)).Where(c => UiFormat.MayRead(token, c)).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        var page = new UiPage();
        if (problem is not null)
        {
            page.Html($"<p role=\"alert\">{UiPage.Text(problem)}</p>");
        }
        if (visible.Count == 0)
        {
            page.Html(token is null ? "<p>No public caches. Sign in to see the caches your token may read.</p>" : "<p>No cache is visible to this token.</p>");
        }
        else
        {
            page.Html("<table><caption>Caches you may read</caption><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Visibility</th></tr></thead><tbody>");
            foreach (var cache in visible)
            {
                var name = UiPage.Text(cache.Name);
                page.Html($"""<tr><td><a href="/ui/caches/{name}">{name}</a></td><td>{(cache.IsPublic ? "public" : "private")}</td></tr>""");
            }
            page.Html("</tbody></table>");
        }
        if (CacheAdminPages.MayCreate(token))
        {
            page.Html(CacheAdminPages.CreateForm(http));
        }
        return page.Render(http, "Caches", token is not null, statusCode);
    }

    private static async Task<IResult> CacheAsync(
        HttpContext http, string name, UiSession session, IMetadataStore store, GarbageCollector collector, IOptions<LarderOptions> options, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var token = await session.CurrentTokenAsync(http, cancellationToken).ConfigureAwait(false);
        var cache = await store.GetCacheAsync(name, cancellationToken).ConfigureAwait(false);
        if (cache is null || !UiFormat.MayRead(token, cache))
        {
            return UiFormat.NoSuchCache(http, token is not null);
        }
        var stats = await store.GetCacheStatsAsync(cache.Id, cancellationToken).ConfigureAwait(false);
        var policy = await collector.PolicyForAsync(cache, cancellationToken).ConfigureAwait(false);
        var events = await store.ListEventsAsync(cache.Id, RecentEvents, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var traffic = await store.ListTrafficAsync(cache.Id, TrafficSection.From(now), cancellationToken).ConfigureAwait(false);
        var largest = await store.ListLargestPathsAsync(cache.Id, LargestPaths, cancellationToken).ConfigureAwait(false);
        var pins = await store.ListPinHistoryAsync(cache.Id, PinHistorySection.Limit, cancellationToken).ConfigureAwait(false);
        var url = CacheMapping.SubstituterUrl(http.Request, options.Value.PublicUrl, cache.Name);
        var publicKey = SecretKey.Parse(cache.SigningKey).PublicKey.ToString();
        var host = new Uri(url).Host;
        var nixConf = $"substituters = https://cache.nixos.org {url}\ntrusted-public-keys = cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY= {publicKey}";
        if (!cache.IsPublic)
        {
            nixConf += $"\nnetrc-file = /etc/nix/netrc\n\n# /etc/nix/netrc\nmachine {host} password YOUR-LARDER-TOKEN";
        }
        var page = new UiPage().Html($"""
            <section aria-labelledby="size"><h2 id="size">Size</h2><dl>
            <dt>Paths</dt><dd>{UiFormat.Number(stats.PathCount)}</dd>
            <dt>NAR bytes (what clients download, uncompressed)</dt><dd>{UiFormat.Bytes(stats.NarBytes)}</dd>
            <dt>Stored bytes (compressed, shared chunks counted once)</dt><dd>{UiFormat.Bytes(stats.StoredBytes)}</dd>
            <dt>Visibility</dt><dd>{(cache.IsPublic ? "public" : "private")}</dd>
            </dl></section>
            <section aria-labelledby="retention"><h2 id="retention">Retention</h2><p>{UiPage.Text(Describe(policy))}</p></section>
            {TrafficSection.Render(traffic, now)}
            <section aria-labelledby="use"><h2 id="use">Use this cache</h2>
            <p><label for="nixconf">Add to <code>nix.conf</code>:</label></p>
            <textarea id="nixconf" data-copy="the nix.conf lines" readonly rows="{nixConf.Count(c => c == '\n') + 1}" cols="100">{UiPage.Text(nixConf)}</textarea>
            <p>Or with the Larder client: <code id="use-command" data-copy="the larder use command">larder use {UiPage.Text(cache.Name)}</code></p></section>
            <section aria-labelledby="search"><h2 id="search">Find a path</h2>
            <form method="get" action="/ui/caches/{UiPage.Text(cache.Name)}/search" role="search">
            <p><label for="q">Name or hash (the start of it)</label><br><input id="q" name="q" type="search" required maxlength="{PathPages.MaxQueryLength}" size="50">
            <button type="submit">Search</button></p></form>
            <p><a href="/ui/caches/{UiPage.Text(cache.Name)}/paths">Browse every path by name</a></p></section>
            <section aria-labelledby="events"><h2 id="events">Recent pushes and evictions</h2>
            """);
        if (events.Count == 0)
        {
            page.Html("<p>None yet.</p>");
        }
        else
        {
            page.Html("<table><thead><tr><th scope=\"col\">When (UTC)</th><th scope=\"col\">Event</th><th scope=\"col\">Store path</th></tr></thead><tbody>");
            foreach (var e in events)
            {
                var kind = e.Reason is null ? e.Kind : $"{e.Kind} ({e.Reason})";
                page.Html($"<tr><td>{UiFormat.Time(e.At)}</td><td>{UiPage.Text(kind)}</td><td><code>{UiPage.Text(e.StorePath)}</code></td></tr>");
            }
            page.Html("</tbody></table>");
        }
        page.Html($"""</section><section aria-labelledby="largest"><h2 id="largest">Largest paths (by NAR size, the {LargestPaths} largest)</h2>""");
        PathPages.PathTable(page, cache, largest, "The cache holds no paths yet.");
        page.Html("</section>").Html(PinHistorySection.Render(cache, pins));
        if (CacheAdminPages.MayAdminister(token, cache))
        {
            page.Html(CacheAdminPages.AdminSection(http, cache, await store.GetRetentionAsync(cache.Id, cancellationToken).ConfigureAwait(false)));
        }
        return page.Render(http, cache.Name, token is not null);
    }

    private static string Describe(RetentionPolicy policy)
    {
        if (!policy.HasLimits)
        {
            return "Kept forever (no age or size limit).";
        }
        var parts = new List<string>();
        if (policy.Days is { } days)
        {
            parts.Add($"paths not accessed for {days} days are evicted");
        }
        if (policy.MaxSizeBytes is { } max)
        {
            parts.Add($"the least recently used paths are evicted above {UiFormat.Bytes(max)}");
        }
        return string.Join("; ", parts) + $"; paths pushed in the last {policy.RecentPushProtection.TotalMinutes:0} minutes are never evicted.";
    }
}
