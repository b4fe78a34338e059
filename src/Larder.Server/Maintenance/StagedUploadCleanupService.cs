using Larder.Server.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Larder.Server.Maintenance;

/// <summary>Runs <see cref="StagedUploadCleaner"/> every <see cref="MaintenanceOptions.CleanupInterval"/>.</summary>
public sealed class StagedUploadCleanupService(
    StagedUploadCleaner cleaner, IOptions<LarderOptions> options, TimeProvider time, ILogger<StagedUploadCleanupService> logger)
    : PeriodicJob(options.Value.Maintenance.CleanupInterval, time, logger, runOnStop: false)
{
    protected override string Name => "staged-upload cleanup";

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => cleaner.RunOnceAsync(cancellationToken);
}
