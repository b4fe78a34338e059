using Larder.Server.Metadata;
using Microsoft.Extensions.Logging;

namespace Larder.Server.Maintenance.SizeFolding;

/// <summary>
/// Folds the recorded size changes into each cache's totals (<see cref="IMetadataStore.FoldCacheStatsAsync"/>) every
/// <see cref="Interval"/>, so the dashboard's size query sums only the changes of the last few seconds.
/// </summary>
public sealed class CacheStatsFoldService(IMetadataStore store, TimeProvider time, ILogger<CacheStatsFoldService> logger)
    : PeriodicJob(Interval, time, logger, runOnStop: false)
{
    /// <summary>How often the changes are folded.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override string Name => "cache size fold";

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => store.FoldCacheStatsAsync(cancellationToken);
}
