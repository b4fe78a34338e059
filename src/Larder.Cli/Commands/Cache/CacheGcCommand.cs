using System.CommandLine;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;
using Larder.Cli.Output;
using Larder.Contracts.Caches;
using Larder.Contracts.Paths;
using Spectre.Console;

namespace Larder.Cli.Commands.Cache;

/// <summary><c>larder cache gc CACHE [--dry-run] [--json]</c>: apply the cache's retention policy now.</summary>
internal static class CacheGcCommand
{
    public static Command Create()
    {
        var cache = CacheCommand.CacheArgument();
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Only print what would be evicted." };
        var json = CacheCommand.JsonOption();
        var command = new Command("gc", """
            Apply the cache's retention policy now (needs delete permission on it) and print what it frees. Paths leave only
            together with every path that references them; recently pushed paths are never collected. The blobs go when no
            cache holds them any more, after the reaper's grace period.
            """)
        {
            cache, dryRun, json,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var (target, client) = CliEnvironment.OpenCache(parse.GetRequiredValue(cache));
            using var _ = client;
            var result = await client.CollectGarbageAsync(target.Cache, parse.GetValue(dryRun), ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(result, PathJsonContext.Default.GcResultDto);
                return 0;
            }
            Print(target.Cache, result);
            return 0;
        });
        return command;
    }

    private static void Print(string cache, GcResultDto result)
    {
        var verb = result.DryRun ? "would evict" : "evicted";
        if (result.PathsEvicted == 0)
        {
            Console.Out.WriteLine($"nothing to evict in cache '{cache}' ({ByteSizeText.Format(result.StoredBytesBefore)} stored; see `larder cache info {cache}` for its policy)");
            return;
        }
        var table = new Table().AddColumn("store path").AddColumn("last access").AddColumn(new TableColumn("stored").RightAligned()).AddColumn("reason");
        foreach (var path in result.Evicted)
        {
            table.AddRow(
                Markup.Escape(path.StorePath), $"{path.LastAccessedAt.UtcDateTime:yyyy-MM-dd HH:mm}Z", ByteSizeText.Format(path.StoredBytes), Markup.Escape(path.Reason));
        }
        AnsiConsole.Write(table);
        if (result.PathsEvicted > result.Evicted.Count)
        {
            Console.Out.WriteLine($"(the first {result.Evicted.Count} of {result.PathsEvicted} listed)");
        }
        Console.Out.WriteLine(
            $"{verb} {result.PathsEvicted} path(s) from cache '{cache}', freeing {ByteSizeText.Format(result.BytesFreed)} of {ByteSizeText.Format(result.StoredBytesBefore)} stored");
    }
}
