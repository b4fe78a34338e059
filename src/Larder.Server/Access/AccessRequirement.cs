using Larder.Server.Metadata;

namespace Larder.Server.Access;

/// <summary>
/// Endpoint metadata: who may call the endpoint, checked by an endpoint filter before the handler runs (see
/// <see cref="AccessEndpoints"/>). <see cref="AccessScope.Cache"/> endpoints name their cache in the route parameter
/// <see cref="AccessEndpoints.CacheRouteParameter"/> and need <see cref="Permission"/> on it, with the rules of
/// <see cref="CacheAccess.AuthorizeAsync"/>.
/// </summary>
/// <param name="Scope">What the caller must show.</param>
/// <param name="Permission">For <see cref="AccessScope.Cache"/>: the permission needed on the cache.</param>
/// <param name="Action">For <see cref="AccessScope.GlobalAdmin"/>: what is refused, for the message (<c>list tokens</c>).</param>
public sealed record AccessRequirement(AccessScope Scope, Permission Permission = Permission.None, string? Action = null);

/// <summary>What a caller must show to use an endpoint.</summary>
public enum AccessScope
{
    /// <summary>Anyone; a token, when sent, must be valid and is known to the handler.</summary>
    Anyone,
    /// <summary>Any valid token.</summary>
    Token,
    /// <summary>A token with admin on every cache (<c>*</c>).</summary>
    GlobalAdmin,
    /// <summary>A permission on the cache named in the route (reading a public cache needs no token).</summary>
    Cache,
}
