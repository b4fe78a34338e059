using Larder.Server.Errors;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Larder.Server.Access;

/// <summary>
/// Authorization as endpoint metadata and one endpoint filter: each endpoint declares its <see cref="AccessRequirement"/>
/// (<see cref="RequireCachePermission"/>, <see cref="RequireToken"/>, …); the filter enforces it before the handler
/// runs and leaves the outcome in <see cref="Access"/>.
/// </summary>
public static class AccessEndpoints
{
    /// <summary>The route parameter that names the cache of <see cref="AccessScope.Cache"/> endpoints.</summary>
    public const string CacheRouteParameter = "cache";

    /// <summary>Permissions whose use is recorded as a <c>write</c> token event.</summary>
    private const Permission WritePermissions = Permission.Write | Permission.Delete | Permission.Admin;

    /// <summary>The endpoint needs <paramref name="permission"/> on the cache named by the <c>{cache}</c> route parameter.</summary>
    public static TBuilder RequireCachePermission<TBuilder>(this TBuilder builder, Permission permission)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAccess(new AccessRequirement(AccessScope.Cache, permission));

    /// <summary>The endpoint needs a valid token.</summary>
    public static TBuilder RequireToken<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAccess(new AccessRequirement(AccessScope.Token));

    /// <summary>The endpoint needs a token with admin on <c>*</c>; <paramref name="action"/> names what is refused otherwise.</summary>
    public static TBuilder RequireGlobalAdmin<TBuilder>(this TBuilder builder, string action)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAccess(new AccessRequirement(AccessScope.GlobalAdmin, Action: action));

    /// <summary>Anyone may call the endpoint; a token, when sent, must be valid.</summary>
    public static TBuilder AllowAnyone<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAccess(new AccessRequirement(AccessScope.Anyone));

    /// <summary>What the access filter established for this request.</summary>
    public static RequestAccess Access(this HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.Features.Get<RequestAccess>()
            ?? throw new InvalidOperationException($"the endpoint {http.GetEndpoint()?.DisplayName} declares no access requirement");
    }

    private static TBuilder RequireAccess<TBuilder>(this TBuilder builder, AccessRequirement requirement)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(requirement);
        return builder.AddEndpointFilterFactory((context, next) =>
        {
            var access = context.ApplicationServices.GetRequiredService<CacheAccess>();
            var failures = context.ApplicationServices.GetRequiredService<RateLimiting.FailedAuthenticationLimiter>();
            var uses = context.ApplicationServices.GetRequiredService<TokenUseRecorder>();
            return async invocation =>
            {
                var http = invocation.HttpContext;
                RequestAccess granted;
                try
                {
                    granted = await AuthorizeAsync(http, access, requirement).ConfigureAwait(false);
                }
                catch (UnauthorizedException) when (!string.IsNullOrEmpty(http.Request.Headers.Authorization))
                {
                    // Rate limiting: credentials were sent and refused (a request without any is not a failure).
                    failures.CountFailure(http);
                    throw;
                }
                if (granted.Token is { } token && (requirement.Permission & WritePermissions) != Permission.None)
                {
                    uses.RecordWrite(token.Id);
                }
                http.Features.Set(granted);
                return await next(invocation).ConfigureAwait(false);
            };
        });
    }

    private static async Task<RequestAccess> AuthorizeAsync(HttpContext http, CacheAccess access, AccessRequirement requirement)
    {
        var ct = http.RequestAborted;
        switch (requirement.Scope)
        {
            case AccessScope.Anyone:
                return new RequestAccess(await access.AuthenticateAsync(http, ct).ConfigureAwait(false), null);
            case AccessScope.Token:
                return new RequestAccess(await access.RequireTokenAsync(http, ct).ConfigureAwait(false), null);
            case AccessScope.GlobalAdmin:
                var admin = await access.RequireTokenAsync(http, ct).ConfigureAwait(false);
                return Grants.IsGlobalAdmin(admin.Grants)
                    ? new RequestAccess(admin, null)
                    : throw new ForbiddenException($"only a token with admin on '*' may {requirement.Action}");
            case AccessScope.Cache:
                var name = http.Request.RouteValues[CacheRouteParameter] as string
                    ?? throw new InvalidOperationException($"the endpoint {http.GetEndpoint()?.DisplayName} has no {{{CacheRouteParameter}}} route parameter");
                var cache = await access.AuthorizeAsync(http, name, requirement.Permission, ct).ConfigureAwait(false);
                // AuthorizeAsync authenticated already; the token is remembered for the request.
                return new RequestAccess(await access.AuthenticateAsync(http, ct).ConfigureAwait(false), cache);
            default:
                throw new InvalidOperationException($"unknown access scope {requirement.Scope}");
        }
    }
}
