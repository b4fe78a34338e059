using System.Globalization;
using Larder.Server.Access;
using Larder.Server.Errors;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Http;

namespace Larder.Server.Ui;

/// <summary>What the dashboard's pages share: who may read a cache, numbers and sizes as people read them, refusals.</summary>
internal static class UiFormat
{
    /// <summary>Public caches are readable by anyone; private ones by a signed-in token with read on them.</summary>
    public static bool MayRead(TokenRecord? token, CacheRecord cache) =>
        cache.IsPublic || (token is not null && (Grants.For(token.Grants, cache.Name) & Permission.Read) == Permission.Read);

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.##} GiB ({Number(bytes)} bytes)",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.##} MiB ({Number(bytes)} bytes)",
        _ => $"{Number(bytes)} bytes",
    };

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>The answer to a cache the visitor may not read, identical to one that does not exist.</summary>
    public static IResult NoSuchCache(HttpContext http, bool signedIn) =>
        new UiPage().Html("<p>There is no cache by that name that you may read.</p>")
            .Render(http, "No such cache", signedIn, StatusCodes.Status404NotFound);

    /// <summary>The answer to a POST whose CSRF field does not match its cookie.</summary>
    public static IResult CsrfRefused(HttpContext http) =>
        new UiPage().Html("<p>The form was not sent from a Larder page of this browser session. Go back, reload the page and try again.</p>")
            .Render(http, "Request refused", signedIn: false, StatusCodes.Status403Forbidden);

    /// <summary>The posted form when its CSRF field matches its cookie; otherwise no form and the refusal to answer.</summary>
    public static async Task<(IFormCollection? Form, IResult? Refusal)> ReadCheckedFormAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var form = await ReadFormAsync(http, cancellationToken).ConfigureAwait(false);
        return UiSession.CsrfMatches(http, form) ? (form, null) : (null, CsrfRefused(http));
    }

    /// <summary>
    /// The posted form and the signed-in token, when the CSRF field matches and the visitor is signed in; otherwise the
    /// refusal to answer (403, or a redirect to sign in).
    /// </summary>
    public static async Task<(IFormCollection Form, TokenRecord Caller, IResult? Refusal)> ReadSignedInFormAsync(
        HttpContext http, UiSession session, CancellationToken cancellationToken)
    {
        var (form, refusal) = await ReadCheckedFormAsync(http, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return (null!, null!, refusal);
        }
        return await session.CurrentTokenAsync(http, cancellationToken).ConfigureAwait(false) is { } caller
            ? (form!, caller, null)
            : (form!, null!, TypedResults.Redirect("/ui/sign-in"));
    }

    /// <summary>The posted form; 415 for a body that is not a form, 400 for a malformed one (never a 500).</summary>
    public static async Task<IFormCollection> ReadFormAsync(HttpContext http, CancellationToken cancellationToken)
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
}
