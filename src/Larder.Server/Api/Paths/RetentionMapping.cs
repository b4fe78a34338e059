using Larder.Contracts.Caches;
using Larder.Server.Errors;
using Larder.Server.Maintenance.Gc;
using Larder.Server.Metadata;

namespace Larder.Server.Api.Paths;

/// <summary>Retention settings between their stored form and <c>/api/v1</c>.</summary>
internal static class RetentionMapping
{
    public static RetentionDto ToDto(RetentionSettings cache, RetentionOptions defaults)
    {
        var policy = RetentionPolicy.For(cache, defaults);
        return new RetentionDto(policy.Days, policy.MaxSizeBytes, cache.Days, cache.MaxSizeBytes, (int)policy.RecentPushProtection.TotalMinutes);
    }

    /// <summary>
    /// The settings after <paramref name="request"/>'s retention fields (validated, each failure a 400), or null when it
    /// has none.
    /// </summary>
    public static RetentionSettings? Apply(RetentionSettings current, Contracts.Caches.UpdateCacheRequest request)
    {
        if (request.RetentionDays is not null && request.ClearRetentionDays == true)
        {
            throw new InvalidRequestException("retentionDays and clearRetentionDays contradict each other");
        }
        if (request.MaxSizeBytes is not null && request.ClearMaxSize == true)
        {
            throw new InvalidRequestException("maxSizeBytes and clearMaxSize contradict each other");
        }
        if (request.RetentionDays is null && request.MaxSizeBytes is null && request.ClearRetentionDays != true && request.ClearMaxSize != true)
        {
            return null;
        }
        return new RetentionSettings(
            request.ClearRetentionDays == true ? null : request.RetentionDays is { } days ? RetentionRules.ValidateDays(days) : current.Days,
            request.ClearMaxSize == true ? null : request.MaxSizeBytes is { } bytes ? RetentionRules.ValidateMaxSize(bytes) : current.MaxSizeBytes);
    }
}
