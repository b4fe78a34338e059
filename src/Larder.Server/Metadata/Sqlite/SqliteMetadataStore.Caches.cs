using Dapper;
using Microsoft.Data.Sqlite;

namespace Larder.Server.Metadata.Sqlite;

public sealed partial class SqliteMetadataStore
{
    private const string CacheColumns = "id, name, is_public, priority, store_dir, signing_key, upstream_key_names, created_at";

    /// <inheritdoc />
    public Task<CacheRecord> CreateCacheAsync(CacheRecord cache, CancellationToken cancellationToken) => Run(cancellationToken, session =>
    {
        ArgumentNullException.ThrowIfNull(cache);
        try
        {
            var id = session.Connection.ExecuteScalar<long>(
                """
                INSERT INTO caches (name, is_public, priority, store_dir, signing_key, upstream_key_names, created_at)
                VALUES (@Name, @IsPublic, @Priority, @StoreDir, @SigningKey, @Upstream, @CreatedAt) RETURNING id;
                """,
                new
                {
                    cache.Name,
                    cache.IsPublic,
                    cache.Priority,
                    cache.StoreDir,
                    cache.SigningKey,
                    Upstream = JoinList(cache.UpstreamKeyNames),
                    CreatedAt = ToDb(cache.CreatedAt),
                });
            return cache with { Id = id };
        }
        catch (SqliteException e) when (IsUniqueViolation(e))
        {
            throw new DuplicateNameException(cache.Name);
        }
    });

    /// <inheritdoc />
    public Task<CacheRecord?> GetCacheAsync(string name, CancellationToken cancellationToken) => Run(cancellationToken, session =>
    {
        using var reader = session.Command($"SELECT {CacheColumns} FROM caches WHERE name = $p0;", name).ExecuteReader();
        return reader.Read() ? ReadCache(reader) : null;
    });

    /// <inheritdoc />
    public Task<IReadOnlyList<CacheRecord>> ListCachesAsync(CancellationToken cancellationToken) => Run(cancellationToken, session =>
    {
        using var reader = session.Command($"SELECT {CacheColumns} FROM caches ORDER BY name;").ExecuteReader();
        var caches = new List<CacheRecord>();
        while (reader.Read())
        {
            caches.Add(ReadCache(reader));
        }
        return (IReadOnlyList<CacheRecord>)caches;
    });

    /// <inheritdoc />
    public Task UpdateCacheAsync(CacheRecord cache, CancellationToken cancellationToken) => Run(cancellationToken, session =>
    {
        ArgumentNullException.ThrowIfNull(cache);
        return session.Connection.Execute(
            "UPDATE caches SET is_public = @IsPublic, priority = @Priority, upstream_key_names = @Upstream WHERE id = @Id;",
            new { cache.IsPublic, cache.Priority, Upstream = JoinList(cache.UpstreamKeyNames), cache.Id });
    });

    /// <inheritdoc />
    public Task<bool> DeleteCacheAsync(long cacheId, CancellationToken cancellationToken) => Run(cancellationToken, session =>
    {
        using var transaction = session.Connection.BeginTransaction(deferred: false);
        var deleted = session.Connection.Execute("DELETE FROM caches WHERE id = @cacheId;", new { cacheId }, transaction);
        transaction.Commit();
        return deleted > 0;
    });

    /// <inheritdoc />
    public Task<CacheStats> GetCacheStatsAsync(long cacheId, CancellationToken cancellationToken) => Run(cancellationToken, session =>
    {
        using var reader = session.Command(
            """
            SELECT COUNT(*), COALESCE(SUM(n.nar_size), 0), COALESCE(SUM(n.file_size), 0)
            FROM paths p JOIN nars n ON n.id = p.nar_id WHERE p.cache_id = $p0;
            """,
            cacheId).ExecuteReader();
        reader.Read();
        return new CacheStats(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    });

    private static CacheRecord ReadCache(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetBoolean(2),
        reader.GetInt32(3),
        reader.GetString(4),
        reader.GetString(5),
        SplitList(reader.GetString(6)),
        FromDb(reader.GetInt64(7)));
}
