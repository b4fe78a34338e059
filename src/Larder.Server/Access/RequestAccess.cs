using Larder.Server.Metadata;

namespace Larder.Server.Access;

/// <summary>
/// What the access filter established for this request (an <c>HttpContext</c> feature, read with
/// <see cref="AccessEndpoints.Access"/>): the calling token, if any, and the cache the endpoint's route names.
/// </summary>
public sealed class RequestAccess(TokenRecord? token, CacheRecord? cache)
{
    /// <summary>The calling token; null for an anonymous caller.</summary>
    public TokenRecord? Token { get; } = token;

    /// <summary>The calling token, on endpoints that require one.</summary>
    public TokenRecord Caller => Token ?? throw new InvalidOperationException("this endpoint does not require a token");

    /// <summary>The authorized cache, on endpoints that declare a cache permission.</summary>
    public CacheRecord Cache => cache ?? throw new InvalidOperationException("this endpoint declares no cache permission");
}
