using System.CommandLine;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;
using Larder.Cli.Output;
using Larder.Contracts;

namespace Larder.Cli.Commands.Cache;

/// <summary><c>larder cache events CACHE [--limit N] [--json]</c>: the cache's push log, newest first.</summary>
internal static class CacheEventsCommand
{
    /// <summary>The server's largest page of events.</summary>
    private const int MaxLimit = Larder.Server.Api.CacheApi.MaxEventLimit;

    public static Command Create()
    {
        var cache = CacheCommand.CacheArgument();
        var limit = new Option<int?>("--limit", "-n") { Description = $"At most this many events, newest first (1–{MaxLimit}; default: the server's)." };
        var json = CacheCommand.JsonOption();
        var command = new Command("events", "Show a cache's event log (pushes, deletions and evictions with their reason), newest first (needs read on it).") { cache, limit, json };
        command.SetHandler(async (parse, ct) =>
        {
            var count = parse.GetValue(limit);
            if (count is < 1 or > MaxLimit)
            {
                throw new CliException($"--limit must be between 1 and {MaxLimit}, not {count}");
            }
            var (target, client) = CliEnvironment.OpenCache(parse.GetRequiredValue(cache));
            using var _ = client;
            var events = await client.ListEventsAsync(target.Cache, count, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(events, LarderJsonContext.Default.IReadOnlyListEventDto);
                return 0;
            }
            if (events.Count == 0)
            {
                Console.Out.WriteLine($"no events in cache '{target.Cache}'");
            }
            foreach (var e in events)
            {
                var by = e.TokenId is { } id ? $"  (token {id})" : "";
                var why = e.Reason is { } reason ? $"  {reason}" : "";
                Console.Out.WriteLine($"{e.At.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z  {e.Kind,-8}  {e.StorePath}{by}{why}");
            }
            return 0;
        });
        return command;
    }
}
