using Microsoft.Extensions.DependencyInjection;

namespace Larder.Server.Access.Oidc;

/// <summary>Registers the OIDC token exchange: the per-issuer key cache, the ID token validator and the exchange.</summary>
public static class OidcServices
{
    /// <summary>Adds <see cref="IssuerKeys"/>, <see cref="IdTokenValidator"/> and <see cref="OidcExchange"/>.</summary>
    public static IServiceCollection AddOidcExchange(this IServiceCollection services)
    {
        services.AddSingleton<IssuerKeys>();
        services.AddSingleton<IdTokenValidator>();
        services.AddSingleton<OidcExchange>();
        return services;
    }
}
