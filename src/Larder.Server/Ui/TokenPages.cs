using System.Globalization;
using Larder.Contracts.Tokens;
using Larder.Server.Access;
using Larder.Server.Errors;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.Ui;

/// <summary>
/// Tokens, for a signed-in visitor: create one (with grants the signed-in token holds; the secret is shown once) and
/// revoke. A token with admin on <c>*</c> sees and may revoke every token, newest first, a page at a time
/// (<c>?before=ID</c> continues below the last id shown); any other sees only itself. The rules are
/// the API's (<see cref="TokenCommands"/>); a refusal is shown on the page with the API's status.
/// </summary>
internal static class TokenPages
{
    private static readonly string[] PermissionChoices = ["read", "write", "delete", "admin"];

    /// <summary>Tokens listed a page (OIDC exchanges add one per CI job, so the table grows without bound).</summary>
    private const int PageSize = 100;

    public static void Map(RouteGroupBuilder ui)
    {
        ui.MapGet("/tokens", ListAsync);
        ui.MapPost("/tokens", CreateAsync);
        ui.MapPost("/tokens/{id}/revoke", RevokeAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext http, string? before, UiSession session, IMetadataStore store, CancellationToken cancellationToken)
    {
        var token = await session.CurrentTokenAsync(http, cancellationToken).ConfigureAwait(false);
        if (token is null)
        {
            return TypedResults.Redirect("/ui/sign-in");
        }
        if (before is null)
        {
            return await TokensPageAsync(http, token, store, problem: null, StatusCodes.Status200OK, cancellationToken).ConfigureAwait(false);
        }
        return long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var beforeId) && beforeId > 0
            ? await TokensPageAsync(http, token, store, problem: null, StatusCodes.Status200OK, cancellationToken, beforeId).ConfigureAwait(false)
            : await TokensPageAsync(http, token, store, $"The tokens to list must come before a token id (a positive whole number), not '{before}'.", StatusCodes.Status400BadRequest, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IResult> CreateAsync(
        HttpContext http, UiSession session, IMetadataStore store, TokenCommands tokens, TimeProvider time, CancellationToken cancellationToken)
    {
        var (form, caller, refusal) = await UiFormat.ReadSignedInFormAsync(http, session, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }
        try
        {
            var request = new CreateTokenRequest(
                form["description"].ToString(),
                [new GrantDto(form["cache"].ToString().Trim(), [.. PermissionChoices.Where(p => form["permissions"].Contains(p))])],
                ExpiryFrom(form["expiresInDays"].ToString(), time));
            var (record, secret) = await tokens.CreateAsync(caller, request, cancellationToken).ConfigureAwait(false);
            return new UiPage().Html($"""
                <p role="status">Token {record.Id} (<q>{UiPage.Text(record.Description)}</q>) was created. Copy its secret now: it is
                shown only on this page, and Larder keeps only a hash of it.</p>
                <p><code id="new-token" data-copy="the new token">{UiPage.Text(secret)}</code></p>
                <p><a href="/ui/tokens">Back to tokens</a></p>
                """).Render(http, "Token created", signedIn: true, StatusCodes.Status201Created);
        }
        catch (LarderException e) when (!e.IsServerFault)
        {
            return await TokensPageAsync(http, caller, store, e.ClientMessage, ErrorMapping.StatusFor(e.Kind), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<IResult> RevokeAsync(
        HttpContext http, string id, UiSession session, IMetadataStore store, TokenCommands tokens, CancellationToken cancellationToken)
    {
        var (form, caller, refusal) = await UiFormat.ReadSignedInFormAsync(http, session, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }
        try
        {
            await tokens.RevokeAsync(caller, id, cancellationToken).ConfigureAwait(false);
        }
        catch (LarderException e) when (!e.IsServerFault)
        {
            return await TokensPageAsync(http, caller, store, e.ClientMessage, ErrorMapping.StatusFor(e.Kind), cancellationToken).ConfigureAwait(false);
        }
        // Revoking the signed-in token (or the one that created it) signs the visitor out: the list shows sign-in then.
        return TypedResults.Redirect(id == caller.Id.ToString(CultureInfo.InvariantCulture) ? "/ui/" : "/ui/tokens", permanent: false, preserveMethod: false);
    }

    /// <summary>The tokens page: a global admin sees every token, newest first, <see cref="PageSize"/> a page (those below <paramref name="beforeId"/>).</summary>
    private static async Task<IResult> TokensPageAsync(
        HttpContext http, TokenRecord caller, IMetadataStore store, string? problem, int statusCode, CancellationToken cancellationToken, long beforeId = long.MaxValue)
    {
        var isAdmin = Grants.IsGlobalAdmin(caller.Grants);
        var listed = isAdmin ? await store.ListTokensBeforeAsync(beforeId, PageSize, cancellationToken).ConfigureAwait(false) : [caller];
        var csrf = UiPage.CsrfInput(http);
        var page = new UiPage();
        if (problem is not null)
        {
            page.Html($"<p role=\"alert\">{UiPage.Text(problem)}</p>");
        }
        page.Html($"""
            <p>Signed in as token {caller.Id} (<q>{UiPage.Text(caller.Description)}</q>): {UiPage.Text(Describe(caller.Grants))}.</p>
            <section aria-labelledby="create"><h2 id="create">Create a token</h2>
            <form method="post" action="/ui/tokens">{csrf}
            <p><label for="description">Description</label><br><input id="description" name="description" required maxlength="{TokenCommands.MaxDescriptionLength}" size="50"></p>
            <p><label for="cache">Caches (a name, a prefix ending in *, or *)</label><br><input id="cache" name="cache" required size="30"></p>
            <fieldset><legend>Permissions</legend>
            """);
        foreach (var permission in PermissionChoices)
        {
            page.Html($"""<label><input type="checkbox" name="permissions" value="{permission}"{(permission == "read" ? " checked" : "")}> {permission}</label> """);
        }
        page.Html("""
            </fieldset>
            <p><label for="expiresInDays">Expires after (days; empty: never, or when this token does)</label><br><input id="expiresInDays" name="expiresInDays" type="number" min="1" max="36500"></p>
            <p><button type="submit">Create token</button></p></form></section>
            <section aria-labelledby="tokens"><h2 id="tokens">Tokens</h2>
            <table><thead><tr><th scope="col">Id</th><th scope="col">Description</th><th scope="col">Grants</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">State</th></tr></thead><tbody>
            """);
        foreach (var token in listed)
        {
            var state = token.RevokedAt is { } revoked
                ? $"revoked {UiFormat.Time(revoked)}"
                : $"""<form method="post" action="/ui/tokens/{token.Id}/revoke">{csrf}<button type="submit" aria-label="Revoke token {token.Id}">Revoke</button></form>""";
            page.Html($"""
                <tr><td>{token.Id}</td><td>{UiPage.Text(token.Description)}</td><td>{UiPage.Text(Describe(token.Grants))}</td>
                <td>{UiFormat.Time(token.CreatedAt)}</td><td>{(token.ExpiresAt is { } expiry ? UiFormat.Time(expiry) : "never")}</td><td>{state}</td></tr>
                """);
        }
        page.Html("</tbody></table>");
        if (isAdmin && listed.Count == PageSize)
        {
            page.Html($"""<p><a rel="next" href="/ui/tokens?before={listed[^1].Id}">Older tokens</a></p>""");
        }
        return page.Html("</section>").Render(http, "Tokens", signedIn: true, statusCode);
    }

    private static DateTimeOffset? ExpiryFrom(string days, TimeProvider time)
    {
        if (string.IsNullOrWhiteSpace(days))
        {
            return null;
        }
        return int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 1 and <= 36500
            ? time.GetUtcNow().AddDays(count)
            : throw new InvalidRequestException($"invalid expiry '{days}': give a whole number of days from 1 to 36500, or leave it empty");
    }

    private static string Describe(IReadOnlyList<TokenGrant> grants) =>
        string.Join("; ", grants.Select(g => $"{PermissionNames.Describe(g.Permissions)} on {g.CachePattern}"));
}
