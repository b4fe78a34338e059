using Larder.Server.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.BinaryCache;

/// <summary>
/// Route constraint <c>{cache:cachename}</c>: the segment could name a cache (<see cref="CacheRules.IsValidName"/>).
/// Reserved names such as <c>api</c> never match, so <c>GET /api/v1</c> is an API 404, not "no cache named 'api'".
/// </summary>
public sealed class CacheNameRouteConstraint : IRouteConstraint
{
    /// <summary>The name the constraint is registered under.</summary>
    public const string Name = "cachename";

    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection)
    {
        ArgumentNullException.ThrowIfNull(values);
        return values.TryGetValue(routeKey, out var value) && CacheRules.IsValidName(value as string);
    }
}
