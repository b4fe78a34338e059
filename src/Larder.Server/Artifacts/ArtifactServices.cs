using Microsoft.Extensions.DependencyInjection;

namespace Larder.Server.Artifacts;

/// <summary>Registers the build-artifact cache: <see cref="ArtifactStore"/> and its retention job.</summary>
public static class ArtifactServices
{
    /// <summary>Adds the artifact store and <see cref="ArtifactRetentionService"/>; expects the chunk store of <c>AddBinaryCache</c>.</summary>
    public static IServiceCollection AddArtifacts(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<ArtifactStore>();
        services.AddHostedService<ArtifactRetentionService>();
        return services;
    }
}
