using Larder.Cli.Client;
using Larder.Cli.Commands.Push;
using Larder.Cli.Commands.Watch;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;
using Larder.Cli.LocalStore;
using Larder.Contracts.Pins;

namespace Larder.Cli.Commands.Pin;

/// <summary><c>watch-exec --pin</c>: pins what a successful command built, as a convenience that never fails the command.</summary>
internal static class PinAfterCommand
{
    /// <summary>
    /// Pushes <paramref name="pathArgument"/> (a store path or a symlink such as <c>result</c>) with its closure, in
    /// case it was in the store before the command ran, then pins it; any failure is a warning.
    /// </summary>
    public static async Task PinAsync(LarderClient client, CacheTarget target, string name, string pathArgument, PushOptions options)
    {
        try
        {
            var path = StorePaths.Resolve(pathArgument);
            var pushed = await WatchPushing.PushNewAsync(client, target.Cache, [path], includeDerivations: false, options, CancellationToken.None)
                .ConfigureAwait(false);
            if (pushed is { Failed.Count: > 0 })
            {
                Console.Error.WriteLine($"warning: not pinning '{name}': {path} could not be pushed to cache '{target.Cache}'");
                return;
            }
            var pin = await client.SetPinAsync(target.Cache, name, new SetPinRequest(path), CancellationToken.None).ConfigureAwait(false);
            Console.Error.WriteLine(PinText.Summary(pin, target.Server.BaseUrl));
        }
        catch (CliException e)
        {
            Console.Error.WriteLine($"warning: cannot pin '{name}' in cache '{target.Cache}': {e.Message}; the command's exit code stands");
        }
    }
}
