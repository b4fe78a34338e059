using Larder.Server.Metadata;

namespace Larder.Server.Tests.Traffic;

/// <summary>A cache's stored traffic of the last day, summed (its hour left at default).</summary>
internal static class TrafficTotals
{
    public static async Task<TrafficHour> LastDayAsync(LarderApplication app, long cacheId)
    {
        var hours = await app.Metadata.ListTrafficAsync(cacheId, DateTimeOffset.UtcNow.AddDays(-1), CancellationToken.None);
        return new TrafficHour(default, hours.Sum(h => h.NarInfoHits), hours.Sum(h => h.NarInfoMisses), hours.Sum(h => h.NarRequests), hours.Sum(h => h.NarBytes));
    }
}
