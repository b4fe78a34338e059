using Larder.Server.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Larder.Server.Maintenance.Gc;

/// <summary>Runs <see cref="GarbageCollector.RunAllAsync"/> every <see cref="RetentionOptions.Interval"/>.</summary>
public sealed class GcService(GarbageCollector collector, IOptions<LarderOptions> options, TimeProvider time, ILogger<GcService> logger)
    : PeriodicJob(options.Value.Retention.Interval, time, logger, runOnStop: false)
{
    protected override string Name => "garbage collection";

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => collector.RunAllAsync(cancellationToken);
}
