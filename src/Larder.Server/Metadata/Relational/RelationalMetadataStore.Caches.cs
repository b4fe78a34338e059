using System.Data.Common;

namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    private const string CacheColumns = "id, name, is_public, priority, store_dir, signing_key, upstream_key_names, created_at";

    /// <inheritdoc />
    public Task<CacheRecord> CreateCacheAsync(CacheRecord cache, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cache);
        return RunWriteAsync(async (session, ct) =>
        {
            try
            {
                var id = (long)(await session.ScalarAsync(
                    """
                    INSERT INTO caches (name, is_public, priority, store_dir, signing_key, upstream_key_names, created_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id;
                    """,
                    ct,
                    cache.Name,
                    cache.IsPublic,
                    cache.Priority,
                    cache.StoreDir,
                    cache.SigningKey,
                    cache.UpstreamKeyNames,
                    cache.CreatedAt).ConfigureAwait(false))!;
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
        return RunWriteAsync(
            (session, ct) => session.ExecuteAsync(
                "UPDATE caches SET is_public = $1, priority = $2, upstream_key_names = $3 WHERE id = $4;",
                ct,
                cache.IsPublic,
                cache.Priority,
                cache.UpstreamKeyNames,
                cache.Id),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<CacheStats> GetCacheStatsAsync(long cacheId, CancellationToken cancellationToken) => RunAsync(async (session, ct) =>
    {
        await using var reader = await session.ReaderAsync(
            """
            SELECT COUNT(*), CAST(COALESCE(SUM(n.nar_size), 0) AS BIGINT), CAST(COALESCE(SUM(n.file_size), 0) AS BIGINT)
            FROM paths p JOIN nars n ON n.id = p.nar_id WHERE p.cache_id = $1;
            """,
            ct,
            cacheId).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return new CacheStats(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }, cancellationToken);

    private CacheRecord ReadCache(DbDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetBoolean(2),
        reader.GetInt32(3),
        reader.GetString(4),
        reader.GetString(5),
        _dialect.ReadList(reader, 6),
        _dialect.ReadTime(reader, 7));
}
