using Larder.Server.Metadata;

namespace Larder.Server.Maintenance.Gc;

/// <summary>
/// The policy garbage collection applies to one cache: its own settings, else the server defaults; null limits are no
/// limits, and with neither the cache keeps everything forever.
/// </summary>
public sealed record RetentionPolicy(int? Days, long? MaxSizeBytes, TimeSpan RecentPushProtection)
{
    /// <summary>Whether the policy can evict anything.</summary>
    public bool HasLimits => Days is not null || MaxSizeBytes is not null;

    /// <summary>The event reason of an eviction for age.</summary>
    public string AgeReason => $"evicted: retention {Days} days";

    /// <summary>The event reason of an eviction for size.</summary>
    public const string SizeReason = "evicted: max-size";

    /// <summary>The cache's settings over the server defaults.</summary>
    public static RetentionPolicy For(RetentionSettings cache, RetentionOptions defaults)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(defaults);
        return new RetentionPolicy(cache.Days ?? defaults.Days, cache.MaxSizeBytes ?? defaults.MaxSizeBytes, defaults.RecentPushProtection);
    }
}
