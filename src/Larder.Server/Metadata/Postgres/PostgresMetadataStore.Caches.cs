using Npgsql;

namespace Larder.Server.Metadata.Postgres;

public sealed partial class PostgresMetadataStore
{
    private const string CacheColumns = "id, name, is_public, priority, store_dir, signing_key, upstream_key_names, created_at";

    /// <inheritdoc />
    public Task<CacheRecord> CreateCacheAsync(CacheRecord cache, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cache);
        return RunAsync(async (connection, ct) =>
        {
            try
            {
                var id = (long)(await Scalar(
                    connection,
                    null,
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
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                throw new DuplicateNameException(cache.Name);
            }
        }, cancellationToken, idempotent: false);
    }

    /// <inheritdoc />
    public Task<CacheRecord?> GetCacheAsync(string name, CancellationToken cancellationToken) => RunAsync(async (connection, ct) =>
    {
        await using var command = Command(connection, null, $"SELECT {CacheColumns} FROM caches WHERE name = $1;", name);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadCache(reader) : null;
    }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<CacheRecord>> ListCachesAsync(CancellationToken cancellationToken) => RunAsync(async (connection, ct) =>
    {
        await using var command = Command(connection, null, $"SELECT {CacheColumns} FROM caches ORDER BY name;");
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var caches = new List<CacheRecord>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            caches.Add(ReadCache(reader));
        }
        return (IReadOnlyList<CacheRecord>)caches;
    }, cancellationToken);

    /// <inheritdoc />
    public Task UpdateCacheAsync(CacheRecord cache, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cache);
        return RunAsync(
            (connection, ct) => Execute(
                connection,
                null,
                "UPDATE caches SET is_public = $1, priority = $2, upstream_key_names = $3 WHERE id = $4;",
                ct,
                cache.IsPublic,
                cache.Priority,
                cache.UpstreamKeyNames,
                cache.Id),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> DeleteCacheAsync(long cacheId, CancellationToken cancellationToken) => RunAsync(async (connection, ct) =>
        await Execute(connection, null, "DELETE FROM caches WHERE id = $1;", ct, cacheId).ConfigureAwait(false) > 0,
        cancellationToken);

    /// <inheritdoc />
    public Task<CacheStats> GetCacheStatsAsync(long cacheId, CancellationToken cancellationToken) => RunAsync(async (connection, ct) =>
    {
        await using var command = Command(
            connection,
            null,
            """
            SELECT COUNT(*), COALESCE(SUM(n.nar_size), 0)::bigint, COALESCE(SUM(n.file_size), 0)::bigint
            FROM paths p JOIN nars n ON n.id = p.nar_id WHERE p.cache_id = $1;
            """,
            cacheId);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return new CacheStats(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }, cancellationToken);

    private static CacheRecord ReadCache(NpgsqlDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetBoolean(2),
        reader.GetInt32(3),
        reader.GetString(4),
        reader.GetString(5),
        ReadList(reader, 6),
        ReadTime(reader, 7));
}
