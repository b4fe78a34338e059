using System.Globalization;
using Larder.Contracts.Caches;
using Larder.Contracts.Paths;
using Larder.Server.Metadata;

namespace Larder.Server.Maintenance.Gc;

/// <summary>
/// Answers "how long will this path stay" under a cache's <see cref="RetentionPolicy"/>, by the same rule garbage
/// collection applies: the path leaves only with every path that references it, so the newest access and the newest
/// push among them decide.
/// </summary>
public static class EvictionForecast
{
    /// <summary>The path is not at risk now.</summary>
    public const string Kept = "kept";

    /// <summary>The next collection may evict it.</summary>
    public const string Eligible = "eligible";

    /// <summary>It becomes eligible at a known time unless it (or a dependent) is accessed first.</summary>
    public const string Scheduled = "scheduled";

    /// <summary>The forecast for <paramref name="facts"/> in a cache holding <paramref name="cacheStoredBytes"/>, at <paramref name="now"/>.</summary>
    public static EvictionDto For(PathRetentionFacts facts, RetentionPolicy policy, long cacheStoredBytes, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(policy);
        if (!policy.HasLimits)
        {
            return new EvictionDto(Kept, ["kept: the cache has no retention policy, so it keeps every path forever"], null);
        }
        if (facts.MoreDependents)
        {
            return new EvictionDto(
                Kept, [$"kept: more than {GarbageCollector.MaxGroup} paths reference it, and collection never evicts a group that large"], null);
        }
        var path = facts.Path;
        var members = facts.Dependents.Append(path).ToList();
        var reasons = new List<string>();
        var protectionMinutes = (long)policy.RecentPushProtection.TotalMinutes;
        foreach (var root in members.Where(m => m.IsRoot).Take(3))
        {
            if (root.CreatedAt <= now - policy.RecentPushProtection)
            {
                // Not a recent push, so a pin's closure holds it.
                reasons.Add(root == path
                    ? "kept: a pin needs it (larder pin list shows the pins; their closures are never collected)"
                    : $"kept: referenced by {root.StorePath}, which a pin needs");
                continue;
            }
            var ago = (long)(now - root.CreatedAt).TotalMinutes;
            reasons.Add(root == path
                ? $"kept: pushed {ago} minutes ago (paths pushed in the last {protectionMinutes} minutes are never collected)"
                : $"kept: referenced by {root.StorePath}, pushed {ago} minutes ago (paths pushed in the last {protectionMinutes} minutes are never collected)");
        }
        var protectedUntil = members.Max(m => m.CreatedAt) + policy.RecentPushProtection;
        DateTimeOffset? eligibleAt = null;
        if (policy.Days is { } days)
        {
            var newest = members.MaxBy(m => m.LastAccessedAt)!;
            var byAge = newest.LastAccessedAt + TimeSpan.FromDays(days);
            eligibleAt = byAge > protectedUntil ? byAge : protectedUntil;
            if (newest != path && newest.LastAccessedAt > path.LastAccessedAt)
            {
                reasons.Add($"kept: referenced by {newest.StorePath} (last accessed {Date(newest.LastAccessedAt)}); a path leaves only with every path that references it");
            }
            reasons.Add(eligibleAt <= now
                ? $"eligible now: neither it nor any of the {facts.Dependents.Count} paths referencing it was accessed in the last {days} days"
                : $"eligible on {Date(eligibleAt.Value)} under retention {days} days, unless it or a path referencing it is accessed before");
        }
        var overSize = policy.MaxSizeBytes is { } max && cacheStoredBytes > max;
        if (policy.MaxSizeBytes is { } maxSize)
        {
            reasons.Add(overSize
                ? $"evicted first under max-size {ByteSizeText.Format(maxSize)}: the cache holds {ByteSizeText.Format(cacheStoredBytes)}; {facts.LessRecentlyUsed} paths were used less recently and go before it"
                : $"max-size {ByteSizeText.Format(maxSize)}: the cache holds {ByteSizeText.Format(cacheStoredBytes)}, so nothing is evicted for size; past it, the {facts.LessRecentlyUsed} paths used less recently go first");
        }
        var blockedByRoot = members.Any(m => m.IsRoot);
        var pinned = members.Any(m => m.IsRoot && m.CreatedAt <= now - policy.RecentPushProtection);
        var status = !blockedByRoot && (eligibleAt <= now || overSize) ? Eligible
            : eligibleAt is not null && !pinned ? Scheduled
            : Kept;
        return new EvictionDto(status, reasons, eligibleAt);
    }

    private static string Date(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
