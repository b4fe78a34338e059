using System.Security.Cryptography;
using System.Text;
using Larder.Server.Access;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Http;

namespace Larder.Server.Ui;

/// <summary>
/// The dashboard's sign-in and CSRF protection, both in cookies scoped to <c>/ui</c>, HttpOnly, SameSite=Strict and
/// Secure over https. The session cookie holds the token secret the visitor signed in with, checked on every request
/// (a revoked or expired token is simply signed out). CSRF is a double submit: a random cookie that every form
/// repeats in a hidden field, compared on every POST; SameSite=Strict already keeps other sites' forms from sending
/// the cookies, the field guards against browsers or proxies that do not honour it.
/// </summary>
public sealed class UiSession(IMetadataStore store, TimeProvider time)
{
    public const string SessionCookie = "larder_session";
    public const string CsrfCookie = "larder_csrf";
    public const string CsrfField = "csrf";
    private const string CookiePath = "/ui";

    /// <summary>The signed-in token, or null for an anonymous visitor (or one whose token is no longer valid).</summary>
    public async Task<TokenRecord?> CurrentTokenAsync(HttpContext http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.Request.Cookies[SessionCookie] is { Length: > 0 } secret ? await ValidTokenAsync(secret, cancellationToken).ConfigureAwait(false) : null;
    }

    /// <summary>The token with this secret when it is usable now, else null.</summary>
    public async Task<TokenRecord?> ValidTokenAsync(string secret, CancellationToken cancellationToken)
    {
        var token = await store.GetTokenBySecretHashAsync(TokenSecrets.Hash(secret.Trim()), cancellationToken).ConfigureAwait(false);
        return token is null || token.RevokedAt is not null || token.ExpiresAt <= time.GetUtcNow() ? null : token;
    }

    public static void SignIn(HttpContext http, string secret) =>
        http.Response.Cookies.Append(SessionCookie, secret.Trim(), CookieOptions(http));

    public static void SignOut(HttpContext http) => http.Response.Cookies.Delete(SessionCookie, CookieOptions(http));

    /// <summary>The CSRF value the page's forms must carry, set as a cookie on first use.</summary>
    public static string CsrfToken(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.Request.Cookies[CsrfCookie] is { Length: 64 } existing)
        {
            return existing;
        }
        if (http.Items[CsrfCookie] is string issued)
        {
            return issued;
        }
        var fresh = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        http.Response.Cookies.Append(CsrfCookie, fresh, CookieOptions(http));
        http.Items[CsrfCookie] = fresh;
        return fresh;
    }

    /// <summary>Whether the posted form repeats the CSRF cookie.</summary>
    public static bool CsrfMatches(HttpContext http, IFormCollection form)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(form);
        var cookie = http.Request.Cookies[CsrfCookie];
        var field = form[CsrfField].ToString();
        return cookie is { Length: 64 } && field.Length == cookie.Length
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(cookie), Encoding.ASCII.GetBytes(field));
    }

    private static CookieOptions CookieOptions(HttpContext http) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = http.Request.IsHttps,
        Path = CookiePath,
        IsEssential = true,
    };
}
