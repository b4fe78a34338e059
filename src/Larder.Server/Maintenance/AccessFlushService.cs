using Larder.Server.Access;
using Larder.Server.Configuration;
using Larder.Server.Traffic;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Larder.Server.Maintenance;

/// <summary>
/// Writes the batched last-access times of paths (<see cref="AccessRecorder"/>) and last-use times of tokens
/// (<see cref="TokenUseRecorder"/>) and the hourly traffic counts (<see cref="TrafficRecorder"/>) every few seconds, and at shutdown.
/// </summary>
public sealed class AccessFlushService(
    AccessRecorder recorder, TokenUseRecorder tokenUses, TrafficRecorder traffic, IOptions<LarderOptions> options, TimeProvider time, ILogger<AccessFlushService> logger)
    : PeriodicJob(options.Value.Maintenance.AccessFlushInterval, time, logger, runOnStop: true)
{
    protected override string Name => "access-time flush";

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await recorder.FlushAsync(cancellationToken).ConfigureAwait(false);
        await tokenUses.FlushAsync(cancellationToken).ConfigureAwait(false);
        await traffic.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
