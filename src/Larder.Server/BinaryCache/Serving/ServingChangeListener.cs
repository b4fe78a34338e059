using Larder.Server.Metadata;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Larder.Server.BinaryCache.Serving;

/// <summary>
/// Hears the changes every replica publishes (<see cref="ServingChanges"/>) and applies them to this replica's
/// <see cref="NarInfoMemory"/>, which remembers answers only while this listens. A lost connection forgets everything
/// and listens again a second later.
/// </summary>
internal sealed partial class ServingChangeListener(
    IMetadataStore store, NarInfoMemory memory, ServingChanges changes, TimeProvider time, ILogger<ServingChangeListener> logger)
    : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await store.ListenForServingChangesAsync(() => memory.SetListening(true), changes.Apply, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogListenFailed(logger, e);
            }
            memory.SetListening(false);
            try
            {
                await Task.Delay(RetryDelay, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "stopped hearing other replicas' changes; answering from the database until listening again")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);
}
