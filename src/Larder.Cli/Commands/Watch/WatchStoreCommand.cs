using System.CommandLine;
using Larder.Cli.Commands.Push;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;
using Larder.Cli.LocalStore;

namespace Larder.Cli.Commands.Watch;

/// <summary><c>larder watch-store CACHE</c>: pushes every path added to the local store until interrupted.</summary>
internal static class WatchStoreCommand
{
    public static Command Create()
    {
        var cache = new Argument<string>("CACHE") { Description = "NAME (default server) or SERVER:NAME." };
        var interval = new Option<double>("--interval") { Description = "Seconds between looks at the store's database.", DefaultValueFactory = _ => 1.0 };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Uploads in parallel.", DefaultValueFactory = _ => 4 };
        var drvs = new Option<bool>("--include-derivations") { Description = "Also push new .drv files (skipped by default)." };
        var command = new Command("watch-store", """
            Watch the local Nix store and push every new valid path (with its closure) to a cache, in batches, until
            interrupted (Ctrl-C). Reads Nix's database (/nix/var/nix/db/db.sqlite) read-only.

            Examples:
              larder watch-store main
              larder watch-store work:ci --interval 5 -j 8
            """)
        {
            cache, interval, jobs, drvs,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var seconds = parse.GetValue(interval);
            if (seconds is <= 0 or > 3600)
            {
                throw new CliException($"--interval must be between 0 and 3600 seconds, not {seconds}");
            }
            var (target, client) = CliEnvironment.OpenCache(parse.GetRequiredValue(cache));
            using var _ = client;
            await client.GetCacheAsync(target.Cache, ct).ConfigureAwait(false);
            var options = new PushOptions(Jobs: parse.GetValue(jobs), Compression: PushCommand.ChooseCompression("auto", target.Server.BaseUrl));
            var database = NixStoreDatabase.Default();
            var lastId = await database.GetLastIdAsync(ct).ConfigureAwait(false);
            Console.Error.WriteLine($"watching the store; pushing new paths to '{target.Cache}' (Ctrl-C stops)");
            var failures = 0;
            try
            {
                while (true)
                {
                    await Task.Delay(TimeSpan.FromSeconds(seconds), ct).ConfigureAwait(false);
                    (lastId, var failed) = await WatchPushing.PushBatchAsync(client, target.Cache, database, lastId, parse.GetValue(drvs), options, ct)
                        .ConfigureAwait(false);
                    failures += failed;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                Console.Error.WriteLine("stopped watching");
            }
            return failures == 0 ? 0 : 1;
        });
        return command;
    }
}
