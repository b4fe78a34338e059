using Larder.Server.Maintenance.Gc;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.Ui.Admin;

/// <summary>
/// Garbage collection of one cache from its page, for a token with admin on it: a dry run first shows what the
/// retention policy would evict now and how much it would free, then a confirm button runs the collection (which
/// applies the policy as it stands at that moment). Both are POSTs with the CSRF field.
/// </summary>
internal static class GcPages
{
    /// <summary>How many of the paths a collection would evict the preview lists.</summary>
    public const int PreviewRows = 100;

    public static void Map(RouteGroupBuilder ui)
    {
        ui.MapPost("/caches/{name}/gc/preview", PreviewAsync);
        ui.MapPost("/caches/{name}/gc", RunAsync);
    }

    private static Task<IResult> PreviewAsync(HttpContext http, string name, UiSession session, IMetadataStore store, GarbageCollector collector, CancellationToken cancellationToken) =>
        CollectAsync(http, name, dryRun: true, session, store, collector, cancellationToken);

    private static Task<IResult> RunAsync(HttpContext http, string name, UiSession session, IMetadataStore store, GarbageCollector collector, CancellationToken cancellationToken) =>
        CollectAsync(http, name, dryRun: false, session, store, collector, cancellationToken);

    private static async Task<IResult> CollectAsync(
        HttpContext http, string name, bool dryRun, UiSession session, IMetadataStore store, GarbageCollector collector, CancellationToken cancellationToken)
    {
        var (_, csrfRefusal) = await UiFormat.ReadCheckedFormAsync(http, cancellationToken).ConfigureAwait(false);
        if (csrfRefusal is not null)
        {
            return csrfRefusal;
        }
        var (cache, caller, refusal) = await CacheAdminPages.AdministeredCacheAsync(http, name, session, store, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }
        var back = $"""<p><a href="/ui/caches/{UiPage.Text(cache!.Name)}">Back to {UiPage.Text(cache.Name)}</a></p>""";
        if (await collector.RunCacheAsync(cache, dryRun, cancellationToken).ConfigureAwait(false) is not { } result)
        {
            return new UiPage().Html($"""<p role="alert">Garbage collection is already running (on this server or another replica); try again when it has finished.</p>{back}""")
                .Render(http, "Garbage collection busy", caller is not null, StatusCodes.Status409Conflict);
        }
        var page = new UiPage();
        if (!dryRun)
        {
            page.Html($"""
                <p role="status">Garbage collection evicted {UiFormat.Number(result.PathsEvicted)} paths and freed {UiFormat.Bytes(result.BytesFreed)}
                (the cache stored {UiFormat.Bytes(result.StoredBytesBefore)} before).</p>
                """);
            Listed(page, cache, result);
            return page.Html(back).Render(http, $"Garbage collection of {cache.Name}", caller is not null);
        }
        if (result.PathsEvicted == 0)
        {
            var policy = await collector.PolicyForAsync(cache, cancellationToken).ConfigureAwait(false);
            return page.Html($"""
                <p role="status">Nothing to collect: {(policy.HasLimits ? "no path is past the retention policy now" : "the cache keeps everything (no age or size limit)")}.</p>{back}
                """).Render(http, $"Garbage collection preview of {cache.Name}", caller is not null);
        }
        page.Html($"""
            <p role="status">A collection now would evict {UiFormat.Number(result.PathsEvicted)} paths and free {UiFormat.Bytes(result.BytesFreed)}
            of the {UiFormat.Bytes(result.StoredBytesBefore)} the cache stores. Nothing has been deleted yet.</p>
            <form method="post" action="/ui/caches/{UiPage.Text(cache.Name)}/gc">{UiPage.CsrfInput(http)}
            <p><button type="submit">Run garbage collection now</button> applies the policy as it stands when you press it.</p></form>
            """);
        Listed(page, cache, result);
        return page.Html(back).Render(http, $"Garbage collection preview of {cache.Name}", caller is not null);
    }

    private static void Listed(UiPage page, CacheRecord cache, GcRunResult result)
    {
        if (result.Listed.Count == 0)
        {
            return;
        }
        var shown = result.Listed.Take(PreviewRows).ToList();
        page.Html($"""
            <table id="evicted"><caption>{(result.DryRun ? "Would be evicted" : "Evicted")}, least recently used first{(result.PathsEvicted > shown.Count ? $" (the first {shown.Count} of {UiFormat.Number(result.PathsEvicted)})" : "")}</caption>
            <thead><tr><th scope="col">Store path</th><th scope="col">Stored bytes</th><th scope="col">Last access</th><th scope="col">Why</th></tr></thead><tbody>
            """);
        foreach (var (path, reason) in shown)
        {
            var storePath = result.DryRun ? $"""<a href="{PathPages.PathUrl(cache, path.HashPart)}">{UiPage.Text(path.StorePath)}</a>""" : UiPage.Text(path.StorePath);
            page.Html($"<tr><td>{storePath}</td><td>{UiFormat.Bytes(path.StoredBytes)}</td><td>{UiFormat.Time(path.LastAccessedAt)}</td><td>{UiPage.Text(reason)}</td></tr>");
        }
        page.Html("</tbody></table>");
    }
}
