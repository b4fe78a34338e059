using System.Data.Common;
using Larder.Server.Upstreams;

namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    private const string CacheColumns = "id, name, is_public, priority, store_dir, signing_key, upstream_key_names, created_at, upstream_urls, upstream_keys, upstream_mode";

    /// <inheritdoc />
    public Task<CacheRecord> CreateCacheAsync(CacheRecord cache, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cache);
        var upstreams = cache.Upstreams ?? CacheUpstreams.None;
        return RunWriteAsync(async (session, ct) =>
        {
            try
            {
                var id = (long)(await session.ScalarAsync(
                    """
                    INSERT INTO caches (name, is_public, priority, store_dir, signing_key, upstream_key_names, created_at,
                                        upstream_urls, upstream_keys, upstream_mode)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id;
                    """,
                    ct,
                    cache.Name,
                    cache.IsPublic,
                    cache.Priority,
                    cache.StoreDir,
                    cache.SigningKey,
                    cache.UpstreamKeyNames,
                    cache.CreatedAt,
                    upstreams.Urls,
                    upstreams.PublicKeys,
                    CacheUpstreams.ModeName(upstreams.Mode)).ConfigureAwait(false))!;
                return cache with { Id = id };
            }
            catch (DbException e) when (_dialect.IsUniqueViolation(e))
            {
                throw new DuplicateNameException(cache.Name);
            }
        }, cancellationToken, idempotent: false);
    }

    /// <inheritdoc />
    public Task<CacheRecord?> GetCacheAsync(string name, CancellationToken cancellationToken) => RunAsync(async (session, ct) =>
    {
        await using var reader = await session.ReaderAsync($"SELECT {CacheColumns} FROM caches WHERE name = $1;", ct, name).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadCache(reader) : null;
    }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<CacheRecord>> ListCachesAsync(CancellationToken cancellationToken) => RunAsync(
        (session, ct) => ReadAllAsync(session, $"SELECT {CacheColumns} FROM caches ORDER BY name;", ReadCache, ct),
        cancellationToken);

    /// <inheritdoc />
    public Task UpdateCacheAsync(CacheRecord cache, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cache);
        var upstreams = cache.Upstreams ?? CacheUpstreams.None;
        return RunWriteAsync(
            (session, ct) => session.ExecuteAsync(
                """
                UPDATE caches SET is_public = $1, priority = $2, upstream_key_names = $3, upstream_urls = $5, upstream_keys = $6,
                                  upstream_mode = $7
                WHERE id = $4;
                """,
                ct,
                cache.IsPublic,
                cache.Priority,
                cache.UpstreamKeyNames,
                cache.Id,
                upstreams.Urls,
                upstreams.PublicKeys,
                CacheUpstreams.ModeName(upstreams.Mode)),
            cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>The cache's folded row plus the changes not yet folded into it (see <see cref="FoldCacheStatsAsync"/>), in one query.</remarks>
    public Task<CacheStats> GetCacheStatsAsync(long cacheId, CancellationToken cancellationToken) => RunAsync(async (session, ct) =>
    {
        await using var reader = await session.ReaderAsync(
            """
            SELECT s.path_count + COALESCE(SUM(d.path_count), 0), s.nar_bytes + COALESCE(SUM(d.nar_bytes), 0),
                   s.stored_bytes + COALESCE(SUM(d.stored_bytes), 0)
            FROM cache_stats s LEFT JOIN cache_stat_deltas d ON d.cache_id = s.cache_id
            WHERE s.cache_id = $1
            GROUP BY s.path_count, s.nar_bytes, s.stored_bytes;
            """,
            ct,
            cacheId).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false)
            ? new CacheStats(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2))
            : new CacheStats(0, 0, 0);
    }, cancellationToken);

    /// <inheritdoc />
    public Task FoldCacheStatsAsync(CancellationToken cancellationToken) =>
        RunWriteAsync((session, ct) => session.ExecuteAsync(_dialect.FoldCacheStatsSql, ct), cancellationToken);

    private CacheRecord ReadCache(DbDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetBoolean(2),
        reader.GetInt32(3),
        reader.GetString(4),
        reader.GetString(5),
        _dialect.ReadList(reader, 6),
        _dialect.ReadTime(reader, 7),
        new CacheUpstreams(_dialect.ReadList(reader, 8), _dialect.ReadList(reader, 9), CacheUpstreams.TryParseMode(reader.GetString(10)) ?? UpstreamMode.Store));
}
