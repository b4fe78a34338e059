using System.Globalization;
using Larder.Nix.Signing;
using Larder.Server.Access;
using Larder.Server.Api;
using Larder.Server.Configuration;
using Larder.Server.Errors;
using Larder.Server.Maintenance.Gc;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Larder.Server.Ui;

/// <summary>
/// The dashboard under <c>/ui/</c>: the caches the visitor may read (public ones anonymously, plus those the
/// signed-in token has read grants on), a page per cache, sign-in and sign-out. A cache the visitor may not read is
/// answered exactly like one that does not exist, and no page names it.
/// </summary>
public static class UiEndpoints
{
    private const int RecentEvents = 20;

    public static IEndpointRouteBuilder MapUi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Anyone may load the pages; each one decides from the session cookie what the visitor may see (MayRead).
        var ui = app.MapGroup("/ui").ExcludeFromDescription().AllowAnyone();
        ui.MapGet("/", CachesAsync);
        ui.MapGet("/caches/{name}", CacheAsync);
        ui.MapGet("/sign-in", static (HttpContext http) => SignInPage(http, problem: null, StatusCodes.Status200OK));
        ui.MapPost("/sign-in", SignInAsync);
        ui.MapPost("/sign-out", SignOutAsync);
        return app;
    }

    private static async Task<IResult> CachesAsync(HttpContext http, UiSession session, IMetadataStore store, CancellationToken cancellationToken)
    {
        var token = await session.CurrentTokenAsync(http, cancellationToken).ConfigureAwait(false);
        var visible = (await store.ListCachesAsync(cancellationToken).ConfigureAwait(false)).Where(c => MayRead(token, c)).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        var page = new UiPage();
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
        return page.Render(http, "Caches", token is not null);
    }

    private static async Task<IResult> CacheAsync(
        HttpContext http, string name, UiSession session, IMetadataStore store, GarbageCollector collector, IOptions<LarderOptions> options, CancellationToken cancellationToken)
    {
        var token = await session.CurrentTokenAsync(http, cancellationToken).ConfigureAwait(false);
        var cache = await store.GetCacheAsync(name, cancellationToken).ConfigureAwait(false);
        if (cache is null || !MayRead(token, cache))
        {
            return new UiPage().Html("<p>There is no cache by that name that you may read.</p>")
                .Render(http, "No such cache", token is not null, StatusCodes.Status404NotFound);
        }
        var stats = await store.GetCacheStatsAsync(cache.Id, cancellationToken).ConfigureAwait(false);
        var policy = await collector.PolicyForAsync(cache, cancellationToken).ConfigureAwait(false);
        var events = await store.ListEventsAsync(cache.Id, RecentEvents, cancellationToken).ConfigureAwait(false);
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
            <dt>Paths</dt><dd>{Number(stats.PathCount)}</dd>
            <dt>NAR bytes (what clients download, uncompressed)</dt><dd>{Bytes(stats.NarBytes)}</dd>
            <dt>Stored bytes (compressed, shared chunks counted once)</dt><dd>{Bytes(stats.StoredBytes)}</dd>
            <dt>Visibility</dt><dd>{(cache.IsPublic ? "public" : "private")}</dd>
            </dl></section>
            <section aria-labelledby="retention"><h2 id="retention">Retention</h2><p>{UiPage.Text(Describe(policy))}</p></section>
            <section aria-labelledby="use"><h2 id="use">Use this cache</h2>
            <p><label for="nixconf">Add to <code>nix.conf</code>:</label></p>
            <textarea id="nixconf" readonly rows="{nixConf.Count(c => c == '\n') + 1}" cols="100">{UiPage.Text(nixConf)}</textarea>
            <p>Or with the Larder client: <code>larder use {UiPage.Text(cache.Name)}</code></p></section>
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
                page.Html($"<tr><td>{e.At.UtcDateTime:yyyy-MM-dd HH:mm:ss}</td><td>{UiPage.Text(kind)}</td><td><code>{UiPage.Text(e.StorePath)}</code></td></tr>");
            }
            page.Html("</tbody></table>");
        }
        return page.Html("</section>").Render(http, cache.Name, token is not null);
    }

    private static IResult SignInPage(HttpContext http, string? problem, int statusCode) =>
        new UiPage().Html($"""
            {(problem is null ? "" : $"<p role=\"alert\">{UiPage.Text(problem)}</p>")}
            <form method="post" action="/ui/sign-in">{UiPage.CsrfInput(http)}
            <p><label for="token">Larder token</label><br><input id="token" name="token" type="password" autocomplete="off" required size="70"></p>
            <p><button type="submit">Sign in</button></p></form>
            <p>The token is kept in a cookie only this site's pages can send and no script can read; signing out removes it.</p>
            """).Render(http, "Sign in", signedIn: false, statusCode);

    private static async Task<IResult> SignInAsync(HttpContext http, UiSession session, CancellationToken cancellationToken)
    {
        var form = await ReadFormAsync(http, cancellationToken).ConfigureAwait(false);
        if (!UiSession.CsrfMatches(http, form))
        {
            return CsrfRefused(http);
        }
        var secret = form["token"].ToString();
        if (secret.Length == 0 || await session.ValidTokenAsync(secret, cancellationToken).ConfigureAwait(false) is null)
        {
            return SignInPage(http, "That token is not valid (unknown, revoked or expired).", StatusCodes.Status401Unauthorized);
        }
        UiSession.SignIn(http, secret);
        return TypedResults.Redirect("/ui/");
    }

    private static async Task<IResult> SignOutAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var form = await ReadFormAsync(http, cancellationToken).ConfigureAwait(false);
        if (!UiSession.CsrfMatches(http, form))
        {
            return CsrfRefused(http);
        }
        UiSession.SignOut(http);
        return TypedResults.Redirect("/ui/");
    }

    /// <summary>The posted form; 415 for a body that is not a form, 400 for a malformed one (never a 500).</summary>
    private static async Task<IFormCollection> ReadFormAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (!http.Request.HasFormContentType)
        {
            throw new UnsupportedMediaTypeException("the dashboard's forms are sent as application/x-www-form-urlencoded");
        }
        try
        {
            return await http.Request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidRequestException($"the form is malformed: {e.Message}");
        }
    }

    private static IResult CsrfRefused(HttpContext http) =>
        new UiPage().Html("<p>The form was not sent from a Larder page of this browser session. Go back, reload the page and try again.</p>")
            .Render(http, "Request refused", signedIn: false, StatusCodes.Status403Forbidden);

    private static bool MayRead(TokenRecord? token, CacheRecord cache) =>
        cache.IsPublic || (token is not null && (Grants.For(token.Grants, cache.Name) & Permission.Read) == Permission.Read);

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
            parts.Add($"the least recently used paths are evicted above {Bytes(max)}");
        }
        return string.Join("; ", parts) + $"; paths pushed in the last {policy.RecentPushProtection.TotalMinutes:0} minutes are never evicted.";
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.##} GiB ({Number(bytes)} bytes)",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.##} MiB ({Number(bytes)} bytes)",
        _ => $"{Number(bytes)} bytes",
    };
}
