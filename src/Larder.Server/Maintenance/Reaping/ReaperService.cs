using Larder.Server.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Larder.Server.Maintenance.Reaping;

/// <summary>Runs a <see cref="Reaper"/> pass every <see cref="MaintenanceOptions.CleanupInterval"/>.</summary>
public sealed class ReaperService(Reaper reaper, IOptions<LarderOptions> options, TimeProvider time, ILogger<ReaperService> logger)
    : PeriodicJob(options.Value.Maintenance.CleanupInterval, time, logger, runOnStop: false)
{
    protected override string Name => "storage reaper";

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => reaper.RunOnceAsync(cancellationToken);
}
