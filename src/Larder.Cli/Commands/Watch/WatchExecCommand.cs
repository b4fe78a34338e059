using System.CommandLine;
using System.Diagnostics;
using Larder.Cli.Commands.Push;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;
using Larder.Cli.LocalStore;

namespace Larder.Cli.Commands.Watch;

/// <summary><c>larder watch-exec CACHE -- CMD ARGS…</c>: runs a command, then pushes every path it added to the store.</summary>
internal static class WatchExecCommand
{
    public static Command Create()
    {
        var cache = new Argument<string>("CACHE") { Description = "NAME (default server) or SERVER:NAME." };
        var commandLine = new Argument<string[]>("COMMAND") { Description = "The command and its arguments (after --).", Arity = ArgumentArity.OneOrMore };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Uploads in parallel.", DefaultValueFactory = _ => 4 };
        var drvs = new Option<bool>("--include-derivations") { Description = "Also push new .drv files (skipped by default)." };
        var command = new Command("watch-exec", """
            Run a command, then push every path it added to the local store (with closures) to a cache. Exits with the
            command's exit code (or 1 if the command succeeded but a push failed). Paths are pushed even when the
            command fails, so a partly successful build is still cached.

            Examples:
              larder watch-exec main -- nix-build release.nix
              larder watch-exec work:ci -- nix build .#checks.x86_64-linux.all
            """)
        {
            cache, commandLine, jobs, drvs,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var (target, client) = CliEnvironment.OpenCache(parse.GetRequiredValue(cache));
            using var _ = client;
            await client.GetCacheAsync(target.Cache, ct).ConfigureAwait(false);
            var database = NixStoreDatabase.Default();
            var before = await database.GetLastIdAsync(ct).ConfigureAwait(false);
            var exitCode = await RunAsync(parse.GetRequiredValue(commandLine)).ConfigureAwait(false);
            var (paths, _) = await database.GetPathsAfterAsync(before, CancellationToken.None).ConfigureAwait(false);
            var options = new PushOptions(Jobs: parse.GetValue(jobs), Compression: PushCommand.ChooseCompression("auto", target.Server.BaseUrl));
            var summary = await WatchPushing.PushNewAsync(client, target.Cache, paths, parse.GetValue(drvs), options, CancellationToken.None)
                .ConfigureAwait(false);
            if (summary is null)
            {
                Console.Error.WriteLine("the command added no paths to the store");
            }
            return exitCode != 0 ? exitCode : summary?.Failed.Count > 0 ? 1 : 0;
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
