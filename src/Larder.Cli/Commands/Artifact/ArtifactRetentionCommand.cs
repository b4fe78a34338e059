using System.CommandLine;
using Larder.Cli.Infrastructure;
using Larder.Cli.Output;
using Larder.Contracts.Artifacts;
using Larder.Contracts.Caches;

namespace Larder.Cli.Commands.Artifact;

/// <summary><c>larder artifact retention CACHE [--keep-per-key N] [--max-age-days D] [--max-total-size S] [--json]</c>.</summary>
internal static class ArtifactRetentionCommand
{
    public static Command Create()
    {
        var cache = ArtifactCommand.CacheArgument();
        var keep = new Option<int?>("--keep-per-key") { Description = "Uploads kept per key, newest first." };
        var days = new Option<int?>("--max-age-days") { Description = "Uploads older than this many days go." };
        var size = new Option<string?>("--max-total-size") { Description = "Largest total stored size of the cache's archives, such as 20G (least recently used go first)." };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var connection = new ArtifactConnection();
        var command = new Command("retention", """
            Show the cache's artifact retention policy, or change the limits given (needs admin permission on the cache
            to change). Limits the cache does not set come from the server's Larder:Artifacts defaults. A change applies at once.
            """)
        {
            cache, keep, days, size, json,
        };
        connection.AddTo(command);
        command.SetHandler(async (parse, ct) =>
        {
            var (target, client) = connection.Open(parse, parse.GetRequiredValue(cache));
            using var _ = client;
            var policy = await client.GetArtifactRetentionAsync(target.Cache, ct).ConfigureAwait(false);
            if (parse.GetValue(keep) is not null || parse.GetValue(days) is not null || parse.GetValue(size) is not null)
            {
                var request = new ArtifactRetentionDto(
                    parse.GetValue(keep) ?? policy.KeepPerKey, parse.GetValue(days) ?? policy.MaxAgeDays, parse.GetValue(size) ?? policy.MaxTotalSize);
                policy = await client.SetArtifactRetentionAsync(target.Cache, request, ct).ConfigureAwait(false);
            }
            if (parse.GetValue(json))
            {
                JsonOutput.Write(policy, ArtifactJsonContext.Default.ArtifactRetentionDto);
                return 0;
            }
            Console.Out.WriteLine($"artifact retention of cache '{target.Cache}':");
            Console.Out.WriteLine($"  keep per key:   {policy.EffectiveKeepPerKey}{Source(policy.KeepPerKey)}");
            Console.Out.WriteLine($"  max age:        {(policy.EffectiveMaxAgeDays is { } d ? $"{d} days" : "none")}{Source(policy.MaxAgeDays)}");
            Console.Out.WriteLine(
                $"  max total size: {(policy.EffectiveMaxTotalBytes is { } b ? ByteSizeText.Format(b) : "none")}{Source(policy.MaxTotalSize)}");
            return 0;
        });
        return command;
    }

    private static string Source(object? own) => own is null ? " (server default)" : "";
}
