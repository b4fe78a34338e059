using System.Globalization;
using Larder.Server.Access.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.Ui;

/// <summary>Signing in with a token (kept in an HttpOnly cookie) and signing out.</summary>
internal static class SignInPages
{
    public static void Map(RouteGroupBuilder ui)
    {
        ui.MapGet("/sign-in", static (HttpContext http) => SignInPage(http, problem: null, StatusCodes.Status200OK));
        ui.MapPost("/sign-in", SignInAsync);
        ui.MapPost("/sign-out", SignOutAsync);
    }

    private static IResult SignInPage(HttpContext http, string? problem, int statusCode) =>
        new UiPage().Html($"""
            {(problem is null ? "" : $"<p role=\"alert\">{UiPage.Text(problem)}</p>")}
            <form method="post" action="/ui/sign-in">{UiPage.CsrfInput(http)}
            <p><label for="token">Larder token</label><br><input id="token" name="token" type="password" autocomplete="off" required size="70"></p>
            <p><button type="submit">Sign in</button></p></form>
            <p>The token is kept in a cookie only this site's pages can send and no script can read; signing out removes it.</p>
            """).Render(http, "Sign in", signedIn: false, statusCode);

    private static async Task<IResult> SignInAsync(HttpContext http, UiSession session, FailedAuthenticationLimiter failures, CancellationToken cancellationToken)
    {
        var form = await UiFormat.ReadFormAsync(http, cancellationToken).ConfigureAwait(false);
        if (!UiSession.CsrfMatches(http, form))
        {
            return UiFormat.CsrfRefused(http);
        }
        var secret = form["token"].ToString();
        if (secret.Length == 0 || await session.ValidTokenAsync(secret, cancellationToken).ConfigureAwait(false) is null)
        {
            // Counted like a refused API token, so the form is no faster a way to guess secrets than the API.
            try
            {
                failures.CountFailure(http);
            }
            catch (TooManyFailuresException e)
            {
                var seconds = ((long)Math.Ceiling(e.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                http.Response.Headers.RetryAfter = seconds;
                return SignInPage(http, $"Too many failed sign-ins from this address: try again in {seconds} seconds.", StatusCodes.Status429TooManyRequests);
            }
            return SignInPage(http, "That token is not valid (unknown, revoked or expired).", StatusCodes.Status401Unauthorized);
        }
        UiSession.SignIn(http, secret);
        return TypedResults.Redirect("/ui/");
    }

    private static async Task<IResult> SignOutAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var form = await UiFormat.ReadFormAsync(http, cancellationToken).ConfigureAwait(false);
        if (!UiSession.CsrfMatches(http, form))
        {
            return UiFormat.CsrfRefused(http);
        }
        UiSession.SignOut(http);
        return TypedResults.Redirect("/ui/");
    }
}
