using Larder.Contracts.Caches;
using Larder.Server.Configuration;

namespace Larder.Server.Artifacts;

/// <summary>
/// The <c>Larder:Artifacts</c> section: server-wide defaults of the build-artifact retention policy (a cache's own
/// limits, set through <c>artifact-retention</c>, win) and how often it is applied to every cache.
/// </summary>
public sealed class ArtifactOptions
{
    /// <summary>Largest <see cref="KeepPerKey"/>.</summary>
    public const int MaxKeepPerKey = 1000;

    /// <summary>Largest <see cref="MaxAgeDays"/>.</summary>
    public const int MaxDays = 36_500;

    /// <summary>Uploads kept per key, newest first (default 3).</summary>
    public int KeepPerKey { get; set; } = 3;

    /// <summary>Uploads older than this many days go (default 30; none when unset).</summary>
    public int? MaxAgeDays { get; set; } = 30;

    /// <summary>Largest total stored size of one cache's archives, such as <c>20G</c> (none by default).</summary>
    public string? MaxTotalSize { get; set; }

    /// <summary>How often the policy is applied to every cache (default 1 hour; a save applies it to its cache at once).</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary><see cref="MaxTotalSize"/> in bytes, or null.</summary>
    public long? MaxTotalBytes => MaxTotalSize is null ? null : ByteSizeText.TryParse(MaxTotalSize, out _);

    /// <summary>Throws <see cref="LarderConfigurationException"/> naming the first invalid key.</summary>
    public void Validate()
    {
        if (KeepPerKey is < 1 or > MaxKeepPerKey)
        {
            throw new LarderConfigurationException($"Larder:Artifacts:KeepPerKey must be from 1 to {MaxKeepPerKey}, not {KeepPerKey}");
        }
        if (MaxAgeDays is { } days and (< 1 or > MaxDays))
        {
            throw new LarderConfigurationException($"Larder:Artifacts:MaxAgeDays must be from 1 to {MaxDays}, not {days}");
        }
        if (MaxTotalSize is not null && ByteSizeText.TryParse(MaxTotalSize, out var problem) is null)
        {
            throw new LarderConfigurationException($"Larder:Artifacts:MaxTotalSize: {problem}");
        }
        if (RetentionInterval <= TimeSpan.Zero)
        {
            throw new LarderConfigurationException(
                $"Larder:Artifacts:RetentionInterval must be a positive duration such as 01:00:00, not {RetentionInterval}");
        }
    }
}
