using Larder.Server.Errors;

namespace Larder.Server.Access.Oidc;

/// <summary>
/// An ID token was refused: 401 when it is not a valid token of a trusted issuer, 403 when it is but no policy accepts
/// its claims. <see cref="Check"/> names the check that failed; the message never quotes the token.
/// </summary>
public sealed class OidcRefusedException(ErrorKind kind, string check, string reason)
    : LarderException(kind, $"ID token refused ({check}): {reason}")
{
    /// <summary>The failed check: <c>format</c>, <c>algorithm</c>, <c>issuer</c>, <c>signature</c>, <c>signing-key</c>, <c>expiry</c>, <c>not-before</c>, <c>issued-at</c>, <c>audience</c>, <c>claims</c>.</summary>
    public string Check { get; } = check;

    /// <summary>A 401 refusal: the token is not a valid ID token of a trusted issuer.</summary>
    public static OidcRefusedException Invalid(string check, string reason) => new(ErrorKind.Unauthorized, check, reason);

    /// <summary>A 403 refusal: the token is valid, but no policy accepts it.</summary>
    public static OidcRefusedException NotAccepted(string check, string reason) => new(ErrorKind.Forbidden, check, reason);
}
