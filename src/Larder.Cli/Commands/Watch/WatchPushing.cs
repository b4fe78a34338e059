using Larder.Cli.Client;
using Larder.Cli.Commands.Push;
using Larder.Cli.Infrastructure;
using Larder.Cli.LocalStore;
using Larder.Cli.Output;

namespace Larder.Cli.Commands.Watch;

/// <summary>Pushes paths that appeared in the store (shared by watch-store and watch-exec).</summary>
internal static class WatchPushing
{
    /// <summary>
    /// Pushes what was registered in the store after <paramref name="lastId"/>. A failure to reach the server is a
    /// warning, and the batch stays pending (the returned id is unchanged) so the next call tries it again.
    /// </summary>
    /// <returns>The id to continue after, and how many paths failed for good.</returns>
    public static async Task<(long LastId, int Failed)> PushBatchAsync(
        LarderClient client, string cache, NixStoreDatabase database, long lastId, bool includeDerivations, PushOptions options,
        CancellationToken cancellationToken)
    {
        var (paths, newLast) = await database.GetPathsAfterAsync(lastId, cancellationToken).ConfigureAwait(false);
        if (paths.Count == 0)
        {
            return (lastId, 0);
        }
        try
        {
            var summary = await PushNewAsync(client, cache, paths, includeDerivations, options, cancellationToken).ConfigureAwait(false);
            return (newLast, summary?.Failed.Count ?? 0);
        }
        catch (CliException e)
        {
            Console.Error.WriteLine($"warning: cannot push to cache '{cache}' now: {e.Message}; will retry");
            return (lastId, 0);
        }
    }

    /// <summary>
    /// Pushes the closures of the newly registered <paramref name="paths"/> that are still valid, leaving out
    /// derivations (<c>.drv</c>, registered at evaluation) unless <paramref name="includeDerivations"/>.
    /// </summary>
    public static async Task<PushSummary?> PushNewAsync(
        LarderClient client, string cache, IReadOnlyList<string> paths, bool includeDerivations, PushOptions options, CancellationToken cancellationToken)
    {
        var store = new LocalStoreReader();
        var wanted = paths.Where(p => includeDerivations || !p.EndsWith(".drv", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
        // A path can be garbage-collected between registration and now; push what is still there.
        var valid = await store.FilterValidAsync(wanted, cancellationToken).ConfigureAwait(false);
        if (valid.Count == 0)
        {
            return null;
        }
        var progress = new PlainPushProgress(Console.Error);
        var summary = await new Pusher(client, store, progress).PushAsync(cache, valid, options, cancellationToken).ConfigureAwait(false);
        Console.Error.WriteLine(PushCommand.Describe(summary));
        return summary;
    }
}
