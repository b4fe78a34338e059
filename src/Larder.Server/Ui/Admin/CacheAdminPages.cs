using System.Globalization;
using Larder.Contracts.Caches;
using Larder.Server.Access;
using Larder.Server.Api;
using Larder.Server.Errors;
using Larder.Server.Maintenance.Gc;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.Ui.Admin;

/// <summary>
/// Creating a cache (on the list of caches, for a token with admin on some caches) and configuring one (on its page,
/// for a token with admin on it): visibility, retention days and maximum size. The rules and errors are the API's
/// (<see cref="CacheCommands"/>); a refusal is shown on the page with the API's status.
/// </summary>
internal static class CacheAdminPages
{
    public static void Map(RouteGroupBuilder ui)
    {
        ui.MapPost("/caches", CreateAsync);
        ui.MapPost("/caches/{name}/configure", ConfigureAsync);
    }

    /// <summary>Whether the token may create some cache (it has admin on a name or pattern).</summary>
    public static bool MayCreate(TokenRecord? token) => token is not null && token.Grants.Any(g => g.Permissions.HasFlag(Permission.Admin));

    /// <summary>Whether the token may configure and collect <paramref name="cache"/>.</summary>
    public static bool MayAdminister(TokenRecord? token, CacheRecord cache) =>
        token is not null && Grants.For(token.Grants, cache.Name).HasFlag(Permission.Admin);

    public static string CreateForm(HttpContext http) => $"""
        <section aria-labelledby="create-cache"><h2 id="create-cache">Create a cache</h2>
        <form method="post" action="/ui/caches">{UiPage.CsrfInput(http)}
        <p><label for="cache-name">Name (lower-case letters, digits, '.', '_' or '-')</label><br><input id="cache-name" name="name" required maxlength="64" size="40"></p>
        <fieldset><legend>Visibility</legend>
        <label><input type="radio" name="visibility" value="private" checked> private (a token with read is needed)</label>
        <label><input type="radio" name="visibility" value="public"> public (anyone may substitute)</label></fieldset>
        <p><button type="submit">Create cache</button></p></form></section>
        """;

    /// <summary>The cache page's administration section: the settings form and the garbage collection preview button.</summary>
    public static string AdminSection(HttpContext http, CacheRecord cache, RetentionSettings own)
    {
        var name = UiPage.Text(cache.Name);
        var csrf = UiPage.CsrfInput(http);
        return $"""
            <section aria-labelledby="admin"><h2 id="admin">Administration</h2>
            <form method="post" action="/ui/caches/{name}/configure">{csrf}
            <fieldset><legend>Visibility</legend>
            <label><input type="radio" name="visibility" value="private"{(cache.IsPublic ? "" : " checked")}> private</label>
            <label><input type="radio" name="visibility" value="public"{(cache.IsPublic ? " checked" : "")}> public</label></fieldset>
            <p><label for="retention-days">Evict paths not accessed for this many days (1 to {RetentionRules.MaxDays}; empty: the server's default)</label><br>
            <input id="retention-days" name="retentionDays" type="number" min="1" max="{RetentionRules.MaxDays}" value="{own.Days?.ToString(CultureInfo.InvariantCulture)}"></p>
            <p><label for="max-size">Evict the least recently used paths above this size (such as 50G, 512M, 1.5T; empty: the server's default)</label><br>
            <input id="max-size" name="maxSize" size="12" value="{UiPage.Text(ExactSize(own.MaxSizeBytes))}"></p>
            <p><button type="submit">Save settings</button></p></form>
            <form method="post" action="/ui/caches/{name}/gc/preview">{csrf}
            <p><button type="submit">Preview garbage collection</button> shows what a collection would evict now, and asks before it runs.</p></form>
            </section>
            """;
    }

    private static async Task<IResult> CreateAsync(
        HttpContext http, UiSession session, IMetadataStore store, CacheCommands caches, CancellationToken cancellationToken)
    {
        var (form, caller, refusal) = await UiFormat.ReadSignedInFormAsync(http, session, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }
        try
        {
            var request = new CreateCacheRequest(form["name"].ToString().Trim(), Public: Visibility(form["visibility"].ToString()));
            var cache = await caches.CreateAsync(caller, request, cancellationToken).ConfigureAwait(false);
            return TypedResults.Redirect($"/ui/caches/{cache.Name}");
        }
        catch (LarderException e) when (!e.IsServerFault)
        {
            return await CachePages.ListPageAsync(http, caller, store, e.ClientMessage, ErrorMapping.StatusFor(e.Kind), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<IResult> ConfigureAsync(
        HttpContext http, string name, UiSession session, IMetadataStore store, CacheCommands caches, CancellationToken cancellationToken)
    {
        var (form, csrfRefusal) = await UiFormat.ReadCheckedFormAsync(http, cancellationToken).ConfigureAwait(false);
        if (csrfRefusal is not null)
        {
            return csrfRefusal;
        }
        var (cache, caller, refusal) = await AdministeredCacheAsync(http, name, session, store, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }
        try
        {
            await caches.UpdateAsync(cache!, SettingsFrom(form!), cancellationToken).ConfigureAwait(false);
            return TypedResults.Redirect($"/ui/caches/{cache!.Name}");
        }
        catch (LarderException e) when (!e.IsServerFault)
        {
            return new UiPage().Html($"""
                <p role="alert">The settings were not changed: {UiPage.Text(e.ClientMessage)}.</p>
                <p><a href="/ui/caches/{UiPage.Text(cache!.Name)}">Back to {UiPage.Text(cache.Name)}</a></p>
                """).Render(http, "Settings not saved", caller is not null, ErrorMapping.StatusFor(e.Kind));
        }
    }

    /// <summary>
    /// The cache a form of its administration section names, when the signed-in token has admin on it; otherwise the
    /// refusal: the "no such cache" page when the visitor may not even read it, else a 403 naming the missing permission.
    /// </summary>
    public static async Task<(CacheRecord? Cache, TokenRecord? Caller, IResult? Refusal)> AdministeredCacheAsync(
        HttpContext http, string name, UiSession session, IMetadataStore store, CancellationToken cancellationToken)
    {
        var caller = await session.CurrentTokenAsync(http, cancellationToken).ConfigureAwait(false);
        var cache = await store.GetCacheAsync(name, cancellationToken).ConfigureAwait(false);
        if (cache is null || !UiFormat.MayRead(caller, cache))
        {
            return (null, caller, UiFormat.NoSuchCache(http, caller is not null));
        }
        if (!MayAdminister(caller, cache))
        {
            var refusal = new UiPage().Html($"""
                <p role="alert">Only a token with admin on '{UiPage.Text(cache.Name)}' may change it or collect its garbage{(caller is null ? "; sign in with one" : "")}.</p>
                """).Render(http, "Not allowed", caller is not null, StatusCodes.Status403Forbidden);
            return (cache, caller, refusal);
        }
        return (cache, caller, null);
    }

    /// <summary>The form's settings as the API's request: an empty limit clears the cache's own (the server default applies).</summary>
    private static UpdateCacheRequest SettingsFrom(IFormCollection form)
    {
        var days = form["retentionDays"].ToString().Trim();
        var size = form["maxSize"].ToString().Trim();
        int? retentionDays = null;
        if (days.Length > 0)
        {
            retentionDays = int.TryParse(days, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw new InvalidRequestException($"invalid retention days '{days}': give a whole number of days from 1 to {RetentionRules.MaxDays}, or leave it empty");
        }
        long? maxSize = null;
        if (size.Length > 0)
        {
            maxSize = ByteSizeText.TryParse(size, out var problem) ?? throw new InvalidRequestException(problem!);
        }
        return new UpdateCacheRequest(
            Public: Visibility(form["visibility"].ToString()),
            RetentionDays: retentionDays,
            MaxSizeBytes: maxSize,
            ClearRetentionDays: retentionDays is null ? true : null,
            ClearMaxSize: maxSize is null ? true : null);
    }

    private static bool Visibility(string value) => value switch
    {
        "public" => true,
        "private" => false,
        _ => throw new InvalidRequestException($"invalid visibility '{value}': choose public or private"),
    };

    /// <summary>A size that reads back to exactly the same bytes: the largest binary unit that divides it, else bytes.</summary>
    private static string ExactSize(long? bytes)
    {
        if (bytes is not { } value)
        {
            return "";
        }
        foreach (var (shift, unit) in new[] { (40, "T"), (30, "G"), (20, "M"), (10, "K") })
        {
            if (value % (1L << shift) == 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{value >> shift}{unit}");
            }
        }
        return value.ToString(CultureInfo.InvariantCulture);
    }
}
