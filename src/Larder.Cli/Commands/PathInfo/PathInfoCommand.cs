using System.CommandLine;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;
using Larder.Cli.LocalStore;
using Larder.Cli.Output;
using Larder.Contracts.Paths;
using Larder.Nix.NarInfo;
using Larder.Nix.Store;

namespace Larder.Cli.Commands.PathInfo;

/// <summary><c>larder path-info CACHE PATH</c>: what the server holds for a path (its narinfo).</summary>
internal static class PathInfoCommand
{
    public static Command Create()
    {
        var cache = new Argument<string>("CACHE") { Description = "NAME (default server) or SERVER:NAME." };
        var path = new Argument<string>("PATH") { Description = "A store path, its 32-character hash, or a symlink to it (./result)." };
        var json = new Option<bool>("--json") { Description = "Print the narinfo's fields as JSON." };
        var command = new Command("path-info", """
            Show what a cache holds for a store path: its narinfo (NAR hash and size, references, deriver, signatures),
            when it was pushed and last accessed, and how long it will stay under the cache's retention policy.
            Exits with 1 when the cache does not have the path.

            Examples:
              larder path-info main ./result
              larder path-info main /nix/store/p4pclmv1gyja5kzc26npqpia1qqxrf0l-hello-2.12 --json
            """)
        {
            cache, path, json,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var hashPart = HashPartOf(parse.GetRequiredValue(path));
            var (target, client) = CliEnvironment.OpenCache(parse.GetRequiredValue(cache));
            using var _ = client;
            await client.GetCacheAsync(target.Cache, ct).ConfigureAwait(false);
            var narInfo = await client.GetNarInfoAsync(target.Cache, hashPart, ct).ConfigureAwait(false)
                ?? throw new CliException($"cache '{target.Cache}' does not have {parse.GetRequiredValue(path)} ({hashPart})");
            var retention = await client.GetPathInfoAsync(target.Cache, hashPart, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(ToResult(narInfo) with { Retention = retention }, CliJsonContext.Default.PathInfoResult);
            }
            else
            {
                Console.Out.Write(narInfo);
                PrintRetention(retention);
            }
            return 0;
        });
        return command;
    }

    /// <summary>Last access and the eviction answer, after the narinfo, in the same <c>Key: value</c> form.</summary>
    private static void PrintRetention(PathInfoDto retention)
    {
        Console.Out.WriteLine($"PushedAt: {retention.PushedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z");
        Console.Out.WriteLine($"LastAccessedAt: {retention.LastAccessedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z");
        Console.Out.WriteLine($"Dependents: {retention.Dependents}");
        if (retention.Origin is { } origin)
        {
            Console.Out.WriteLine($"Origin: {origin}");
        }
        Console.Out.WriteLine($"Eviction: {retention.Eviction.Status}");
        foreach (var reason in retention.Eviction.Reasons)
        {
            Console.Out.WriteLine($"  {reason}");
        }
    }

    /// <summary>The narinfo's fields, typed: sizes as numbers, references and signatures as arrays.</summary>
    internal static PathInfoResult ToResult(string narInfoText)
    {
        NarInfo narInfo;
        try
        {
            narInfo = NarInfo.Parse(narInfoText);
        }
        catch (NarInfoFormatException e)
        {
            throw new CliException($"the server sent a malformed narinfo: {e.Message}");
        }
        return new PathInfoResult(
            narInfo.StorePath.FullPath,
            narInfo.Url,
            narInfo.Compression,
            narInfo.FileHash?.ToNix32String(),
            narInfo.FileSize,
            narInfo.NarHash.ToNix32String(),
            narInfo.NarSize,
            [.. narInfo.ReferenceFullPaths],
            narInfo.Deriver is null ? null : $"{narInfo.StorePath.StoreDir}/{narInfo.Deriver}",
            narInfo.Signatures,
            narInfo.Ca);
    }

    /// <summary>The hash part of a store path, base name, bare hash or a symlink into the store.</summary>
    internal static string HashPartOf(string argument)
    {
        if (StorePath.IsValidHashPart(argument))
        {
            return argument;
        }
        if (argument.StartsWith(StorePaths.StoreDir + "/", StringComparison.Ordinal))
        {
            var baseName = argument[(StorePaths.StoreDir.Length + 1)..].Split('/')[0];
            if (StorePath.ValidateBaseName(baseName) is { } problem)
            {
                throw new CliException($"'{argument}' is not a valid store path: {problem}");
            }
            return baseName[..StorePath.HashPartLength];
        }
        if (StorePath.IsValidBaseName(argument))
        {
            return argument[..StorePath.HashPartLength];
        }
        return StorePaths.HashPartOf(StorePaths.Resolve(argument));
    }
}
