using System.CommandLine;
using Larder.Cli.Commands.PathInfo;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;
using Larder.Cli.Output;
using Larder.Contracts.Caches;
using Larder.Contracts.Paths;

namespace Larder.Cli.Commands.Paths;

/// <summary><c>larder path delete CACHE PATH… [--recursive] [--dry-run]</c>.</summary>
internal static class PathCommand
{
    public static Command Create()
    {
        var command = new Command("path", """
            Manage single paths of a cache.

            Examples:
              larder path delete main ./result
              larder path delete main /nix/store/p4pclmv1gyja5kzc26npqpia1qqxrf0l-hello-2.12 --recursive --dry-run
            """);
        command.Subcommands.Add(DeleteCommand());
        return command;
    }

    private static Command DeleteCommand()
    {
        var cache = new Argument<string>("CACHE") { Description = "NAME (default server) or SERVER:NAME." };
        var paths = new Argument<string[]>("PATH") { Description = "Store paths, their 32-character hashes, or symlinks to them (./result).", Arity = ArgumentArity.OneOrMore };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Also delete every path of the cache that references it, directly or not." };
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Only print what would be deleted." };
        var json = new Option<bool>("--json") { Description = "Print each answer as JSON, one per line." };
        var command = new Command("delete", """
            Delete paths from a cache (needs delete permission on it). A path that other paths of the cache reference is
            refused, naming them, unless --recursive deletes them with it: a cache never serves a path whose references it
            lacks. Deletions are recorded in the event log with the token that made them.
            """)
        {
            cache, paths, recursive, dryRun, json,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var hashes = parse.GetRequiredValue(paths).Select(PathInfoCommand.HashPartOf).Distinct(StringComparer.Ordinal).ToList();
            var (target, client) = CliEnvironment.OpenCache(parse.GetRequiredValue(cache));
            using var _ = client;
            var gone = new HashSet<string>(StringComparer.Ordinal);
            foreach (var hash in hashes)
            {
                if (gone.Contains(hash))
                {
                    continue;
                }
                var result = await client.DeletePathAsync(target.Cache, hash, parse.GetValue(recursive), parse.GetValue(dryRun), ct).ConfigureAwait(false);
                gone.UnionWith(result.Deleted.Select(HashOfStorePath));
                if (parse.GetValue(json))
                {
                    JsonOutput.Write(result, PathJsonContext.Default.DeletePathsResultDto);
                    continue;
                }
                var verb = result.DryRun ? "would delete" : "deleted";
                Console.Out.WriteLine($"{verb} {result.Deleted.Count} path(s), {ByteSizeText.Format(result.StoredBytes)} stored, from cache '{target.Cache}':");
                foreach (var deleted in result.Deleted)
                {
                    Console.Out.WriteLine($"  {deleted}");
                }
            }
            return 0;
        });
        return command;
    }

    private static string HashOfStorePath(string storePath)
    {
        var baseName = storePath[(storePath.LastIndexOf('/') + 1)..];
        return baseName.Length >= 32 ? baseName[..32] : baseName;
    }
}
