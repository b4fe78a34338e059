using System.CommandLine;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;
using Larder.Cli.Output;
using Larder.Contracts;
using Larder.Contracts.Caches;

namespace Larder.Cli.Commands.Cache;

/// <summary><c>larder cache create|list|info|configure|delete</c>.</summary>
internal static class CacheCommand
{
    public static Command Create()
    {
        var command = new Command("cache", """
            Create, list, inspect, configure and delete caches on a server.

            Examples:
              larder cache create main --public
              larder cache list
              larder cache info work:ci --json
              larder cache configure main --private --upstream-key cache.nixos.org-1
              larder cache configure main --upstream-url https://cache.nixos.org \
                --upstream-key cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY= --upstream-mode store
              larder cache configure main --retention-days 30 --max-size 50G
              larder cache gc main --dry-run
              larder cache delete old --yes
              larder cache events main --limit 20
              larder cache key main --rotate
            """);
        command.Subcommands.Add(CreateCommand());
        command.Subcommands.Add(ListCommand());
        command.Subcommands.Add(InfoCommand());
        command.Subcommands.Add(ConfigureCommand());
        command.Subcommands.Add(DeleteCommand());
        command.Subcommands.Add(CacheEventsCommand.Create());
        command.Subcommands.Add(CacheKeyCommand.Create());
        command.Subcommands.Add(CacheGcCommand.Create());
        return command;
    }

    internal static Argument<string> CacheArgument() => new("CACHE") { Description = "NAME (default server) or SERVER:NAME." };

    internal static Option<bool> JsonOption() => new("--json") { Description = "Print JSON." };

    private static Command CreateCommand()
    {
        var cache = CacheArgument();
        var isPublic = new Option<bool>("--public") { Description = "Anyone may substitute from it without a token." };
        var priority = new Option<int?>("--priority") { Description = "Substituter priority (lower is preferred; default 40)." };
        var upstream = ReadThroughOptions.Create();
        var storeDir = new Option<string?>("--store-dir") { Description = "Store directory of its paths (default /nix/store)." };
        var json = JsonOption();
        var command = new Command("create", "Create a cache (needs admin on '*').")
        {
            cache, isPublic, priority, upstream.Urls, upstream.Keys, upstream.Mode, storeDir, json,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var (target, client) = CliEnvironment.OpenCache(parse.GetRequiredValue(cache));
            using var _ = client;
            var keys = upstream.SplitKeys(parse);
            var urls = parse.GetValue(upstream.Urls);
            var created = await client.CreateCacheAsync(new CreateCacheRequest(
                target.Cache, parse.GetValue(isPublic), parse.GetValue(priority), parse.GetValue(storeDir),
                keys?.Names, urls is { Length: > 0 } ? urls : null, keys?.PublicKeys, parse.GetValue(upstream.Mode)), ct).ConfigureAwait(false);
            Print(created, parse.GetValue(json), $"created cache '{created.Name}'");
            return 0;
        });
        return command;
    }

    private static Command ListCommand()
    {
        var server = new Option<string?>("--server") { Description = "Server name (default: the default server)." };
        var json = JsonOption();
        var command = new Command("list", "List the caches the token can see.") { server, json };
        command.SetHandler(async (parse, ct) =>
        {
            using var client = CliEnvironment.OpenServer(parse.GetValue(server));
            var caches = await client.ListCachesAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(caches, LarderJsonContext.Default.IReadOnlyListCacheDto);
                return 0;
            }
            if (caches.Count == 0)
            {
                Console.Out.WriteLine("no caches");
            }
            foreach (var c in caches)
            {
                Console.Out.WriteLine($"{c.Name,-24} {(c.Public ? "public " : "private")}  {c.Stats.Paths,8} paths  {ByteSize.Format(c.Stats.StoredBytes),10}  {c.SubstituterUrl}");
            }
            return 0;
        });
        return command;
    }

    private static Command InfoCommand()
    {
        var cache = CacheArgument();
        var json = JsonOption();
        var command = new Command("info", "Show a cache: settings, size, public key and the nix.conf lines to use it.") { cache, json };
        command.SetHandler(async (parse, ct) =>
        {
            var (target, client) = CliEnvironment.OpenCache(parse.GetRequiredValue(cache));
            using var _ = client;
            Print(await client.GetCacheAsync(target.Cache, ct).ConfigureAwait(false), parse.GetValue(json), null);
            return 0;
        });
        return command;
    }

    private static Command ConfigureCommand()
    {
        var cache = CacheArgument();
        var makePublic = new Option<bool>("--public") { Description = "Make the cache readable without a token." };
        var makePrivate = new Option<bool>("--private") { Description = "Require a token to read the cache." };
        var priority = new Option<int?>("--priority") { Description = "Substituter priority (lower is preferred)." };
        var upstream = ReadThroughOptions.Create();
        var noUpstream = new Option<bool>("--no-upstream-keys") { Description = "Clear the upstream keys and key names." };
        var retention = RetentionOptions.Create();
        var json = JsonOption();
        var command = new Command("configure", "Change a cache's settings (needs admin on it).")
        {
            cache, makePublic, makePrivate, priority, upstream.Urls, upstream.Keys, noUpstream, upstream.Mode, upstream.NoUpstreams, retention.Days, retention.MaxSize, retention.NoDays, retention.NoMaxSize, json,
        };
        command.SetHandler(async (parse, ct) =>
        {
            if (parse.GetValue(makePublic) && parse.GetValue(makePrivate))
            {
                throw new CliException("--public and --private contradict each other");
            }
            var upstreamKeys = upstream.SplitKeys(parse);
            if (upstreamKeys is not null && parse.GetValue(noUpstream))
            {
                throw new CliException("--upstream-key and --no-upstream-keys contradict each other");
            }
            bool? isPublic = parse.GetValue(makePublic) ? true : parse.GetValue(makePrivate) ? false : null;
            (IReadOnlyList<string> Names, IReadOnlyList<string> PublicKeys)? keys = parse.GetValue(noUpstream) ? ([], []) : upstreamKeys;
            var request = retention.Apply(parse, upstream.Apply(parse, new UpdateCacheRequest(
                isPublic, parse.GetValue(priority), keys?.Names, UpstreamKeys: keys?.PublicKeys)));
            if (request == new UpdateCacheRequest())
            {
                throw new CliException(
                    "nothing to configure",
                    "give --public, --private, --priority, --upstream-url, --upstream-key, --upstream-mode, --no-upstreams, --no-upstream-keys, " +
                    "--retention-days, --max-size, --no-retention-days or --no-max-size");
            }
            var (target, client) = CliEnvironment.OpenCache(parse.GetRequiredValue(cache));
            using var _ = client;
            var updated = await client.UpdateCacheAsync(target.Cache, request, ct).ConfigureAwait(false);
            Print(updated, parse.GetValue(json), $"configured cache '{updated.Name}'");
            return 0;
        });
        return command;
    }

    private static Command DeleteCommand()
    {
        var cache = CacheArgument();
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation." };
        var command = new Command("delete", "Delete a cache and all its paths (needs admin on it).") { cache, yes };
        command.SetHandler(async (parse, ct) =>
        {
            var (target, client) = CliEnvironment.OpenCache(parse.GetRequiredValue(cache));
            using var _ = client;
            if (!parse.GetValue(yes))
            {
                if (Console.IsInputRedirected)
                {
                    throw new CliException($"refusing to delete cache '{target.Cache}' without confirmation", "add --yes");
                }
                Console.Error.Write($"delete cache '{target.Cache}' on {target.Server.Name} and all its paths? [y/N] ");
                if ((Console.ReadLine() ?? "").Trim().ToLowerInvariant() is not ("y" or "yes"))
                {
                    throw new CliException("not deleted");
                }
            }
            await client.DeleteCacheAsync(target.Cache, ct).ConfigureAwait(false);
            Console.Out.WriteLine($"deleted cache '{target.Cache}'");
            return 0;
        });
        return command;
    }

    private static void Print(CacheDto cache, bool json, string? headline)
    {
        if (json)
        {
            JsonOutput.Write(cache, LarderJsonContext.Default.CacheDto);
            return;
        }
        if (headline is not null)
        {
            Console.Out.WriteLine(headline);
        }
        Console.Out.WriteLine($"""
            name:            {cache.Name}
            visibility:      {(cache.Public ? "public" : "private")}
            priority:        {cache.Priority}
            store dir:       {cache.StoreDir}
            paths:           {cache.Stats.Paths}
            NAR bytes:       {ByteSize.Format(cache.Stats.NarBytes)}
            stored bytes:    {ByteSize.Format(cache.Stats.StoredBytes)}
            upstream keys:   {(cache.UpstreamKeyNames.Count == 0 ? "(none)" : string.Join(", ", cache.UpstreamKeyNames))}
            upstreams:       {ReadThroughOptions.Describe(cache)}
            retention:       {RetentionOptions.Describe(cache.Retention)}
            substituter:     {cache.SubstituterUrl}
            public key:      {cache.PublicKey}

            nix.conf:
              extra-substituters = {cache.SubstituterUrl}
              extra-trusted-public-keys = {cache.PublicKey}
            """);
    }
}
