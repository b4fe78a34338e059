namespace Larder.Server.Access.Oidc;

/// <summary>What an issuer URL must be: absolute <c>https://</c> (or <c>http://</c> with <see cref="OidcOptions.AllowHttpIssuers"/>), with no query, fragment or credentials.</summary>
public static class IssuerUrl
{
    /// <summary>Why <paramref name="issuer"/> cannot be trusted, or null when it can.</summary>
    public static string? Problem(string? issuer, bool allowHttp)
    {
        if (string.IsNullOrWhiteSpace(issuer) || !Uri.TryCreate(issuer, UriKind.Absolute, out var uri))
        {
            return "the issuer must be an absolute URL such as https://token.actions.githubusercontent.com";
        }
        if (uri.Scheme == Uri.UriSchemeHttp && !allowHttp)
        {
            return $"the issuer '{issuer}' is not https: its keys could be replaced in transit (set Larder:Oidc:AllowHttpIssuers only for tests)";
        }
        if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
        {
            return $"the issuer '{issuer}' must be an https:// URL";
        }
        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return $"the issuer '{issuer}' must not have a query, fragment or credentials";
        }
        return null;
    }
}
