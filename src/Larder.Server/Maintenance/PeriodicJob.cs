using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Larder.Server.Maintenance;

/// <summary>
/// Runs a job every <c>interval</c> until shutdown, and once more while stopping when <c>runOnStop</c> is set.
/// A failed run is logged and retried at the next tick; it never stops the server.
/// </summary>
public abstract partial class PeriodicJob(TimeSpan interval, TimeProvider time, ILogger logger, bool runOnStop) : BackgroundService
{
    /// <summary>The job's name in logs.</summary>
    protected abstract string Name { get; }

    /// <summary>One run of the job.</summary>
    protected abstract Task RunOnceAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await RunSafelyAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (runOnStop)
        {
            await RunSafelyAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RunSafelyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RunOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, Name, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "maintenance job {Job} failed; retrying at the next interval")]
    private static partial void LogFailed(ILogger logger, string job, Exception exception);
}
