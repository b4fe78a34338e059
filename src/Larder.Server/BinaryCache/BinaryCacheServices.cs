using Larder.Server.BinaryCache.Serving;
using Larder.Server.Configuration;
using Larder.Server.Ingest;
using Larder.Server.Listings;
using Larder.Server.Storage.Chunks;
using Larder.Server.Upstreams;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Larder.Server.BinaryCache;

/// <summary>Registers the services behind <see cref="BinaryCacheEndpoints"/> (ingest, publishing).</summary>
public static class BinaryCacheServices
{
    /// <summary>
    /// Adds the binary cache protocol's services and the reusable ingest services (<see cref="NarIngestor"/>,
    /// <see cref="PathPublisher"/>, <see cref="BuildLogStore"/>, <see cref="StagingArea"/> in <c>DATA/staging</c>,
    /// swept at start-up). Expects <see cref="LarderOptions"/>, the metadata and blob stores and the access services.
    /// </summary>
    public static IServiceCollection AddBinaryCache(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.Configure<RouteOptions>(o => o.SetParameterPolicy<CacheNameRouteConstraint>(CacheNameRouteConstraint.Name));
        services.TryAddSingleton(sp => new StagingArea(Path.Combine(sp.GetRequiredService<IOptions<LarderOptions>>().Value.DataDir, "staging")));
        services.TryAddSingleton<ChunkStore>();
        services.TryAddSingleton<NarIngestor>();
        services.TryAddSingleton<PathPublisher>();
        services.TryAddSingleton<BuildLogStore>();
        services.TryAddSingleton<NarDownload>();
        services.TryAddSingleton<PinTarball.PinTarballMemory>();
        services.TryAddSingleton<PinTarball.PinArtifactDownload>();
        services.TryAddSingleton<NarInfoMemory>();
        services.TryAddSingleton<NarInfoLookup>();
        services.TryAddSingleton<ServingChanges>();
        services.AddHostedService<ServingChangeListener>();
        services.TryAddSingleton<BinaryCacheReader>();
        services.TryAddSingleton<NarListings>();
        services.TryAddSingleton<BinaryCacheWriter>();
        services.AddHostedService<StagingSweep>();
        services.AddUpstreams();
        return services;
    }
}
