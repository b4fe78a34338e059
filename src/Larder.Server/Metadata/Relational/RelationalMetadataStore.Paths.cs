namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    /// <inheritdoc />
    public Task<PathWithNar?> GetPathAsync(long cacheId, string hashPart, CancellationToken cancellationToken) => RunAsync(async (session, ct) =>
    {
        await using var reader = await session.ReaderAsync(
            $"""
            SELECT p.hash_part, p.store_path, p.refs, p.deriver, p.signatures, p.ca, p.created_at, p.last_accessed_at, p.origin,
                   {NarColumns}, {ChunkColumns}
            FROM paths p JOIN nars n ON n.id = p.nar_id {NarChunksJoin}
            WHERE p.cache_id = $1 AND p.hash_part = $2
            ORDER BY nc.seq;
            """,
            ct,
            cacheId,
            hashPart).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            return null;
        }
        var path = new PathRecord(
            cacheId,
            reader.GetString(0),
            reader.GetString(1),
            reader.GetInt64(9),
            _dialect.ReadList(reader, 2),
            ReadNullableString(reader, 3),
            _dialect.ReadList(reader, 4),
            ReadNullableString(reader, 5),
            _dialect.ReadTime(reader, 6),
            _dialect.ReadTime(reader, 7),
            ReadNullableString(reader, 8));
        var (nar, _) = await ReadNarWithChunksAsync(reader, 9, ct).ConfigureAwait(false);
        return new PathWithNar(path, nar);
    }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>One round trip whatever the size of the query: the hash parts go in as one <see cref="TextSet"/>.</remarks>
    public Task<IReadOnlyList<string>> FindMissingAsync(long cacheId, IReadOnlyList<string> hashParts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hashParts);
        if (hashParts.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<string>>([]);
        }
        return RunAsync(
            (session, ct) => ReadAllAsync(session, _dialect.MissingPathsSql, reader => reader.GetString(0), ct, cacheId, new TextSet(hashParts)),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<NarRecord?> GetNarByFileHashAsync(long cacheId, string fileHash, CancellationToken cancellationToken) => ReadOneNarAsync(
        $"""
        SELECT {NarColumns}, {ChunkColumns}
        FROM nars n {NarChunksJoin}
        WHERE n.id = (SELECT n2.id FROM nars n2 WHERE (n2.file_hash = $2 OR n2.previous_file_hash = $2)
                      AND EXISTS (SELECT 1 FROM paths p WHERE p.nar_id = n2.id AND p.cache_id = $1) LIMIT 1)
        ORDER BY nc.seq;
        """,
        cancellationToken,
        cacheId,
        fileHash);

    /// <inheritdoc />
    public Task<NarRecord?> GetNarByNarHashAsync(string narHash, CancellationToken cancellationToken) => ReadOneNarAsync(
        $"""
        SELECT {NarColumns}, {ChunkColumns}
        FROM nars n {NarChunksJoin}
        WHERE n.nar_hash = $1
        ORDER BY nc.seq;
        """,
        cancellationToken,
        narHash);

    /// <inheritdoc />
    public Task<IReadOnlyList<NarRecord>> ListNarsAsync(long afterId, int limit, CancellationToken cancellationToken) => RunAsync(
        (session, ct) => ReadNarsAsync(
            session,
            $"""
            SELECT {NarColumns}, {ChunkColumns}
            FROM (SELECT * FROM nars WHERE id > $1 ORDER BY id LIMIT $2) n {NarChunksJoin}
            ORDER BY n.id, nc.seq;
            """,
            ct,
            afterId,
            limit),
        cancellationToken);

    /// <inheritdoc />
    /// <remarks>One statement per cache in one transaction; a last-access time never moves backwards.</remarks>
    public Task TouchPathsAsync(IReadOnlyCollection<(long CacheId, string HashPart)> paths, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0)
        {
            return Task.CompletedTask;
        }
        var byCache = paths.GroupBy(p => p.CacheId, p => p.HashPart).OrderBy(g => g.Key).ToList();
        return RunWriteAsync(async (session, ct) =>
        {
            foreach (var cache in byCache)
            {
                await session.ExecuteAsync(
                    $"""
                    UPDATE paths SET last_accessed_at = {_dialect.Greatest}(last_accessed_at, $3)
                    WHERE cache_id = $1 AND hash_part IN (SELECT t.h FROM {_dialect.TextSetSource(2, "t")});
                    """,
                    ct,
                    cache.Key,
                    new TextSet([.. cache.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]),
                    at).ConfigureAwait(false);
            }
            return true;
        }, cancellationToken);
    }

    private Task<NarRecord?> ReadOneNarAsync(string sql, CancellationToken cancellationToken, params object?[] args) => RunAsync(async (session, ct) =>
    {
        await using var reader = await session.ReaderAsync(sql, ct, args).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            return null;
        }
        var (nar, _) = await ReadNarWithChunksAsync(reader, 0, ct).ConfigureAwait(false);
        return nar;
    }, cancellationToken);
}
