using Microsoft.Extensions.DependencyInjection;

namespace Larder.Server.BinaryCache;

/// <summary>Registers the services behind <see cref="BinaryCacheEndpoints"/> (ingest, publishing).</summary>
public static class BinaryCacheServices
{
    /// <summary>Adds the binary cache protocol's services.</summary>
    public static IServiceCollection AddBinaryCache(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services;
    }
}
