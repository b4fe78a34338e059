namespace Larder.Server.Errors;

/// <summary>
/// A request failed for a reason the client should be told about. Thrown anywhere in the server and turned into an
/// HTTP response in one place (<c>ErrorMapping</c>): plain text for Nix's protocol, JSON for <c>/api/v1</c>.
/// </summary>
public sealed class LarderException(ErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public ErrorKind Kind { get; } = kind;

    /// <summary>HTTP status code for <see cref="Kind"/>.</summary>
    public int StatusCode => (int)Kind;
}

/// <summary>Error categories, valued as their HTTP status codes.</summary>
public enum ErrorKind
{
    BadRequest = 400,
    Unauthorized = 401,
    Forbidden = 403,
    NotFound = 404,
    Conflict = 409,
    PayloadTooLarge = 413,
    UnsupportedMediaType = 415,
    Unavailable = 503,
}
