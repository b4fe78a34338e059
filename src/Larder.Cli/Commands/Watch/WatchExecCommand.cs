using System.CommandLine;
using System.Diagnostics;
using Larder.Cli.Commands.Push;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;
using Larder.Cli.LocalStore;
using Larder.Cli.Output;

namespace Larder.Cli.Commands.Watch;

/// <summary>
/// <c>larder watch-exec CACHE -- CMD ARGS…</c>: runs a command and pushes every path it adds to the store, as the paths
/// appear. The cache is a convenience, never a dependency: the command runs and its exit code is returned whether or
/// not the server can be reached.
/// </summary>
internal static class WatchExecCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public static Command Create()
    {
        var cache = new Argument<string>("CACHE") { Description = "NAME (default server) or SERVER:NAME." };
        var commandLine = new Argument<string[]>("COMMAND") { Description = "The command and its arguments (after --).", Arity = ArgumentArity.OneOrMore };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Uploads in parallel.", DefaultValueFactory = _ => 4 };
        var drvs = new Option<bool>("--include-derivations") { Description = "Also push new .drv files (skipped by default)." };
        var pin = new Option<string?>("--pin") { Description = "When the command succeeds, push --pin-path and pin it under this name." };
        var pinPath = new Option<string>("--pin-path") { Description = "The path to pin: a store path or a symlink to one.", DefaultValueFactory = _ => "result" };
        var command = new Command("watch-exec", """
            Run a command and push every path it adds to the local store (with closures) to a cache, as the paths
            appear and once more when it ends. Exits with the command's exit code: a cache that cannot be reached or
            refuses a path is reported as a warning, never a failed build. Paths are pushed even when the command
            fails, so a partly successful build is still cached.

            Examples:
              larder watch-exec main -- nix-build release.nix
              larder watch-exec work:ci -- nix build .#checks.x86_64-linux.all
              larder watch-exec main --pin myapp -- nix build .#myapp
            """)
        {
            cache, commandLine, jobs, drvs, pin, pinPath,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var (target, client) = CliEnvironment.OpenCache(parse.GetRequiredValue(cache));
            using var _ = client;
            try
            {
                await client.GetCacheAsync(target.Cache, ct).ConfigureAwait(false);
            }
            catch (CliException e)
            {
                Console.Error.WriteLine($"warning: cannot push to cache '{target.Cache}': {e.Message}; running the command anyway");
            }
            var database = NixStoreDatabase.Default();
            var startId = await database.GetLastIdAsync(ct).ConfigureAwait(false);
            var lastId = startId;
            var options = new PushOptions(Jobs: parse.GetValue(jobs), Compression: PushCommand.ChooseCompression("auto", target.Server.BaseUrl));
            var includeDerivations = parse.GetValue(drvs);
            var failures = 0;
            var running = RunAsync(parse.GetRequiredValue(commandLine));
            // Paths are pushed while the command runs, so a long build caches what it finished even if it is cut short.
            while (await Task.WhenAny(running, Task.Delay(PollInterval, CancellationToken.None)).ConfigureAwait(false) != running)
            {
                (lastId, var failed) = await WatchPushing.PushBatchAsync(client, target.Cache, database, lastId, includeDerivations, options, CancellationToken.None)
                    .ConfigureAwait(false);
                failures += failed;
            }
            var exitCode = await running.ConfigureAwait(false);
            (lastId, var lastFailed) = await WatchPushing.PushBatchAsync(client, target.Cache, database, lastId, includeDerivations, options, CancellationToken.None)
                .ConfigureAwait(false);
            failures += lastFailed;
            if (exitCode == 0 && parse.GetValue(pin) is { } pinName)
            {
                await Pin.PinAfterCommand.PinAsync(client, target, pinName, parse.GetValue(pinPath)!, options).ConfigureAwait(false);
            }
            var endId = await database.GetLastIdAsync(CancellationToken.None).ConfigureAwait(false);
            if (endId == startId)
            {
                Console.Error.WriteLine("the command added no paths to the store");
            }
            else if (endId != lastId)
            {
                Console.Error.WriteLine($"warning: some new paths were not pushed to cache '{target.Cache}' (see above); the command's exit code stands");
            }
            else if (failures > 0)
            {
                Console.Error.WriteLine($"warning: {Counted.Paths(failures)} could not be pushed to cache '{target.Cache}'; the command's exit code stands");
            }
            return exitCode;
        });
        return command;
    }

    private static async Task<int> RunAsync(string[] commandLine)
    {
        var start = new ProcessStartInfo(commandLine[0]) { UseShellExecute = false };
        foreach (var arg in commandLine.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new CliException($"could not start {commandLine[0]}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new CliException($"cannot run '{commandLine[0]}': {e.Message}");
        }
        using (process)
        {
            // Ctrl-C reaches the child too (same process group); wait for it to finish rather than abandoning it.
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            return process.ExitCode;
        }
    }
}
