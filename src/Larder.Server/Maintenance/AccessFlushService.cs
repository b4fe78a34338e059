using Larder.Server.Access;
using Larder.Server.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Larder.Server.Maintenance;

/// <summary>Writes the <see cref="AccessRecorder"/>'s batched last-access times every few seconds, and at shutdown.</summary>
public sealed class AccessFlushService(AccessRecorder recorder, IOptions<LarderOptions> options, TimeProvider time, ILogger<AccessFlushService> logger)
    : PeriodicJob(options.Value.Maintenance.AccessFlushInterval, time, logger, runOnStop: true)
{
    protected override string Name => "access-time flush";

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => recorder.FlushAsync(cancellationToken);
}
