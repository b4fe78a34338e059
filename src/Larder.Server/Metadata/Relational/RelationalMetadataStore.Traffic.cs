namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    /// <inheritdoc />
    /// <remarks>One upsert per cache-hour, adding to what other replicas stored; a cache deleted meanwhile is skipped.</remarks>
    public Task AddTrafficAsync(IReadOnlyCollection<(long CacheId, TrafficHour Counts)> counts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return RunWriteAsync(async (session, ct) =>
        {
            foreach (var (cacheId, hour) in counts.OrderBy(c => c.CacheId).ThenBy(c => c.Counts.HourStart))
            {
                await session.ExecuteAsync(
                    """
                    INSERT INTO traffic_hours (cache_id, hour_start, narinfo_hits, narinfo_misses, nar_requests, nar_bytes)
                    SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM caches WHERE id = $1)
                    ON CONFLICT (cache_id, hour_start) DO UPDATE SET
                        narinfo_hits = traffic_hours.narinfo_hits + excluded.narinfo_hits,
                        narinfo_misses = traffic_hours.narinfo_misses + excluded.narinfo_misses,
                        nar_requests = traffic_hours.nar_requests + excluded.nar_requests,
                        nar_bytes = traffic_hours.nar_bytes + excluded.nar_bytes;
                    """,
                    ct,
                    cacheId,
                    hour.HourStart,
                    hour.NarInfoHits,
                    hour.NarInfoMisses,
                    hour.NarRequests,
                    hour.NarBytes).ConfigureAwait(false);
            }
            return 0;
        }, cancellationToken, idempotent: false);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TrafficHour>> ListTrafficAsync(long cacheId, DateTimeOffset from, CancellationToken cancellationToken) => RunAsync(
        (session, ct) => ReadAllAsync(
            session,
            """
            SELECT hour_start, narinfo_hits, narinfo_misses, nar_requests, nar_bytes FROM traffic_hours
            WHERE cache_id = $1 AND hour_start >= $2 ORDER BY hour_start;
            """,
            reader => new TrafficHour(_dialect.ReadTime(reader, 0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)),
            ct,
            cacheId,
            from),
        cancellationToken);

    /// <inheritdoc />
    public Task<int> DeleteTrafficBeforeAsync(DateTimeOffset before, CancellationToken cancellationToken) => RunWriteAsync(
        (session, ct) => session.ExecuteAsync("DELETE FROM traffic_hours WHERE hour_start < $1;", ct, before),
        cancellationToken);
}
