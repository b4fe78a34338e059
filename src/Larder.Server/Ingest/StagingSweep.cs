using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Larder.Server.Ingest;

/// <summary>At start-up, removes the staging files a killed server left behind (see <see cref="StagingArea.Sweep"/>).</summary>
internal sealed partial class StagingSweep(StagingArea staging, ILogger<StagingSweep> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        int removed = staging.Sweep();
        if (removed > 0)
        {
            LogSwept(logger, removed, staging.Directory);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "removed {Count} unfinished upload(s) from {Directory}")]
    private static partial void LogSwept(ILogger logger, int count, string directory);
}
