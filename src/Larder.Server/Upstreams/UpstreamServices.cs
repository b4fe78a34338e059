using System.Net;
using Larder.Server.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Larder.Server.Upstreams;

/// <summary>Registers read-through upstream caches (<see cref="ReadThrough"/> and what it uses).</summary>
public static class UpstreamServices
{
    /// <summary>Adds <see cref="ReadThrough"/>; expects <see cref="LarderOptions"/>, the metadata store, ingest and metrics.</summary>
    public static IServiceCollection AddUpstreams(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => new UpstreamClient(CreateHttpClient(sp.GetRequiredService<IOptions<LarderOptions>>().Value.Upstreams),
            sp.GetRequiredService<ILogger<UpstreamClient>>()));
        services.TryAddSingleton<UpstreamMemory>();
        services.TryAddSingleton<UpstreamMetrics>();
        services.TryAddSingleton<UpstreamLookup>();
        services.TryAddSingleton<UpstreamNarStore>();
        services.TryAddSingleton<ReadThrough>();
        return services;
    }

    /// <summary>No overall timeout (callers bound each request), no retries, no decompression: the bytes as the upstream sends them.</summary>
    private static HttpClient CreateHttpClient(UpstreamOptions options) => new(new SocketsHttpHandler
    {
        ConnectTimeout = options.Timeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.None,
        MaxAutomaticRedirections = 5,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
        DefaultRequestHeaders = { { "User-Agent", "larder-read-through" } },
    };
}
