using System.CommandLine;
using Larder.Cli.Infrastructure;
using Larder.Contracts.Caches;

namespace Larder.Cli.Commands.Cache;

/// <summary>The retention options of <c>larder cache configure</c>: <c>--retention-days</c>, <c>--max-size</c> and their clearing forms.</summary>
internal sealed class RetentionOptions
{
    /// <summary>The largest age limit the server accepts.</summary>
    private const int MaxDays = 36_500;

    public required Option<int?> Days { get; init; }

    public required Option<string?> MaxSize { get; init; }

    public required Option<bool> NoDays { get; init; }

    public required Option<bool> NoMaxSize { get; init; }

    public static RetentionOptions Create() => new()
    {
        Days = new Option<int?>("--retention-days") { Description = "Evict paths not accessed (narinfo or NAR served) for N days." },
        MaxSize = new Option<string?>("--max-size") { Description = "Evict least recently used paths while the cache stores more than SIZE (e.g. 50G, 512M, 1.5T)." },
        NoDays = new Option<bool>("--no-retention-days") { Description = "Drop the cache's age limit (the server default applies)." },
        NoMaxSize = new Option<bool>("--no-max-size") { Description = "Drop the cache's size limit (the server default applies)." },
    };

    /// <summary><paramref name="request"/> with the retention settings given on the command line, validated.</summary>
    public UpdateCacheRequest Apply(ParseResult parse, UpdateCacheRequest request)
    {
        var days = parse.GetValue(Days);
        var size = parse.GetValue(MaxSize);
        if (days is not null && parse.GetValue(NoDays))
        {
            throw new CliException("--retention-days and --no-retention-days contradict each other");
        }
        if (size is not null && parse.GetValue(NoMaxSize))
        {
            throw new CliException("--max-size and --no-max-size contradict each other");
        }
        if (days is < 1 or > MaxDays)
        {
            throw new CliException($"--retention-days must be a whole number of days from 1 to {MaxDays}, not {days}");
        }
        long? bytes = null;
        if (size is not null)
        {
            bytes = ByteSizeText.TryParse(size, out var problem) ?? throw new CliException($"--max-size: {problem}");
        }
        return request with
        {
            RetentionDays = days,
            MaxSizeBytes = bytes,
            ClearRetentionDays = parse.GetValue(NoDays) ? true : null,
            ClearMaxSize = parse.GetValue(NoMaxSize) ? true : null,
        };
    }

    /// <summary>The policy in one line, e.g. <c>30 days since last access, max 50 GiB (server default)</c>.</summary>
    public static string Describe(RetentionDto? retention)
    {
        if (retention is null || (retention.Days is null && retention.MaxSizeBytes is null))
        {
            return "keep forever (no policy)";
        }
        var parts = new List<string>();
        if (retention.Days is { } days)
        {
            parts.Add($"{days} days since last access{(retention.CacheDays is null ? " (server default)" : "")}");
        }
        if (retention.MaxSizeBytes is { } max)
        {
            parts.Add($"max {ByteSizeText.Format(max)}, least recently used first{(retention.CacheMaxSizeBytes is null ? " (server default)" : "")}");
        }
        return $"{string.Join("; ", parts)}; paths pushed in the last {retention.RecentPushProtectionMinutes} minutes are kept";
    }
}
