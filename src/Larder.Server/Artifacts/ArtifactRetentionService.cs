using Larder.Server.Configuration;
using Larder.Server.Maintenance;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Larder.Server.Artifacts;

/// <summary>
/// Runs <see cref="ArtifactStore.PruneAllAsync"/> every <see cref="ArtifactOptions.RetentionInterval"/> (a save applies
/// the policy to its own cache at once; this pass catches uploads that aged out without a new save).
/// </summary>
public sealed class ArtifactRetentionService(ArtifactStore artifacts, IOptions<LarderOptions> options, TimeProvider time, ILogger<ArtifactRetentionService> logger)
    : PeriodicJob(options.Value.Artifacts.RetentionInterval, time, logger, runOnStop: false)
{
    protected override string Name => "artifact retention";

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => artifacts.PruneAllAsync(cancellationToken);
}
