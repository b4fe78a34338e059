using Larder.Contracts.Caches;
using Larder.Server.Configuration;

namespace Larder.Server.Maintenance.Gc;

/// <summary>The <c>Larder:Retention</c> section: server-wide retention defaults and garbage collection.</summary>
public sealed class RetentionOptions
{
    /// <summary>Default age limit: evict paths not accessed for this many days (caches without their own; none by default).</summary>
    public int? Days { get; set; }

    /// <summary>Default size limit such as <c>50G</c> (caches without their own; none by default).</summary>
    public string? MaxSize { get; set; }

    /// <summary>Paths pushed this recently are never collected, so an in-progress closure push stays whole (default 60 minutes).</summary>
    public TimeSpan RecentPushProtection { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>How often garbage collection runs (default 1 hour).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary><see cref="MaxSize"/> in bytes, or null.</summary>
    public long? MaxSizeBytes => MaxSize is null ? null : ByteSizeText.TryParse(MaxSize, out _);

    /// <summary>Throws <see cref="LarderConfigurationException"/> naming the first invalid key.</summary>
    public void Validate()
    {
        if (Days is { } days && !RetentionRules.IsValidDays(days))
        {
            throw new LarderConfigurationException($"Larder:Retention:Days must be from 1 to {RetentionRules.MaxDays}, not {days}");
        }
        if (MaxSize is not null && ByteSizeText.TryParse(MaxSize, out var problem) is null)
        {
            throw new LarderConfigurationException($"Larder:Retention:MaxSize: {problem}");
        }
        if (RecentPushProtection < TimeSpan.Zero)
        {
            throw new LarderConfigurationException($"Larder:Retention:RecentPushProtection must not be negative, not {RecentPushProtection}");
        }
        if (Interval <= TimeSpan.Zero)
        {
            throw new LarderConfigurationException($"Larder:Retention:Interval must be a positive duration such as 01:00:00, not {Interval}");
        }
    }
}
