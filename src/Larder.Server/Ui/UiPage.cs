using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;

namespace Larder.Server.Ui;

/// <summary>
/// Builds one dashboard page as HTML: plain server-side templates in which every value goes through
/// <see cref="Text"/> (HTML-encoded), so nothing a client stored (cache names, store paths, reasons) can inject markup.
/// Pages work without JavaScript (<see cref="UiScript"/> only adds copy buttons) and without any asset from elsewhere.
/// </summary>
public sealed class UiPage
{
    private const string Style = """
        body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#1b1b1b}
        nav{display:flex;gap:1rem;align-items:center;border-bottom:1px solid #ccc;padding-bottom:.5rem}
        table{border-collapse:collapse}td,th{padding:.25rem .75rem;text-align:left;border-bottom:1px solid #eee}
        pre{background:#f4f4f4;padding:.75rem;overflow-x:auto}details details{margin-left:1.25rem}a:focus,button:focus,input:focus{outline:3px solid #1a5fb4}
        """;

    private readonly StringBuilder _body = new();

    /// <summary>HTML-encodes <paramref name="value"/>.</summary>
    public static string Text(string? value) => HtmlEncoder.Default.Encode(value ?? "");

    /// <summary>Appends trusted markup (built from <see cref="Text"/>-encoded values).</summary>
    public UiPage Html(string markup)
    {
        _body.Append(markup);
        return this;
    }

    /// <summary>The whole document: header with navigation (sign in, or sign out as a CSRF-protected form), then the body.</summary>
    public IResult Render(HttpContext http, string title, bool signedIn, int statusCode = StatusCodes.Status200OK)
    {
        var csrf = Text(UiSession.CsrfToken(http));
        var account = signedIn
            ? $"""<a href="/ui/tokens">Tokens</a><form method="post" action="/ui/sign-out"><input type="hidden" name="{UiSession.CsrfField}" value="{csrf}"><button type="submit">Sign out</button></form>"""
            : """<a href="/ui/sign-in">Sign in</a>""";
        var html = $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{Text(title)} · Larder</title><style>{Style}</style><script src="/ui{UiScript.Path}" defer></script></head>
            <body><header><nav aria-label="Main"><a href="/ui/">Larder caches</a>{account}</nav></header>
            <main><h1>{Text(title)}</h1>
            {_body}
            </main></body></html>
            """;
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["Content-Security-Policy"] = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";
        http.Response.Headers["X-Content-Type-Options"] = "nosniff";
        return TypedResults.Content(html, "text/html; charset=utf-8", Encoding.UTF8, statusCode);
    }

    /// <summary>A hidden CSRF field for a form on this request's page.</summary>
    public static string CsrfInput(HttpContext http) =>
        $"""<input type="hidden" name="{UiSession.CsrfField}" value="{Text(UiSession.CsrfToken(http))}">""";
}
