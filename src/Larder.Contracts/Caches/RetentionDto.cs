namespace Larder.Contracts.Caches;

/// <summary>
/// A cache's retention policy. <see cref="Days"/> and <see cref="MaxSizeBytes"/> are what garbage collection applies (the
/// cache's own setting, else the server-wide default); null means no limit of that kind. No limit at all: kept forever.
/// </summary>
/// <param name="Days">Paths not accessed (narinfo or NAR served) for this many days are evicted.</param>
/// <param name="MaxSizeBytes">When the cache's stored bytes exceed this, least recently used paths are evicted.</param>
/// <param name="CacheDays">The cache's own setting, null when it uses the server default.</param>
/// <param name="CacheMaxSizeBytes">The cache's own setting, null when it uses the server default.</param>
/// <param name="RecentPushProtectionMinutes">Paths pushed this recently are never evicted.</param>
public sealed record RetentionDto(int? Days, long? MaxSizeBytes, int? CacheDays, long? CacheMaxSizeBytes, int RecentPushProtectionMinutes);
