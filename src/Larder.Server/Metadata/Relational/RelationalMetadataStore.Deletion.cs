namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    /// <summary>How many paths one transaction of a cache deletion removes.</summary>
    private const int DeleteBatchSize = 1000;

    /// <inheritdoc />
    /// <remarks>
    /// The paths to delete are locked first, so a concurrent commit that references one (holding it <c>FOR KEY SHARE</c>)
    /// either committed before (and its reference is seen) or finds it gone.
    /// </remarks>
    public Task<DeletePathsResult> DeletePathsAsync(
        long cacheId, IReadOnlyCollection<string> hashParts, string reason, long? tokenId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hashParts);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        if (hashParts.Count == 0)
        {
            return Task.FromResult(new DeletePathsResult([], []));
        }
        var wanted = new TextSet([.. hashParts.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
        return RunWriteAsync(async (session, ct) =>
        {
            var present = new Dictionary<string, (string StorePath, long NarId)>(StringComparer.Ordinal);
            await using (var reader = await session.ReaderAsync(
                $"""
                SELECT hash_part, store_path, nar_id FROM paths
                WHERE cache_id = $1 AND hash_part IN (SELECT t.h FROM {_dialect.TextSetSource(2, "t")})
                ORDER BY hash_part{_dialect.ForUpdateOf("paths")};
                """,
                ct,
                cacheId,
                wanted).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    present[reader.GetString(0)] = (reader.GetString(1), reader.GetInt64(2));
                }
            }
            var kept = await FindReferencedAsync(session, cacheId, present.Keys, ct).ConfigureAwait(false);
            // A pinned closure is closed under references, so keeping it keeps everything it needs.
            kept.UnionWith(await ReadAllAsync(
                session,
                $"SELECT DISTINCT hash_part FROM pinned_paths WHERE cache_id = $1 AND hash_part IN (SELECT t.h FROM {_dialect.TextSetSource(2, "t")});",
                reader => reader.GetString(0),
                ct,
                cacheId,
                wanted).ConfigureAwait(false));
            var deleted = present.Keys.Where(h => !kept.Contains(h)).Order(StringComparer.Ordinal).ToList();
            // NAR rows in the order of their ids, as every transaction that releases several takes them.
            foreach (var nar in deleted.GroupBy(hashPart => present[hashPart].NarId).OrderBy(group => group.Key))
            {
                await ReleaseNarAsync(session, nar.Key, nar.Count(), at, ct).ConfigureAwait(false);
            }
            foreach (var hashPart in deleted)
            {
                var storePath = present[hashPart].StorePath;
                await session.ExecuteAsync("DELETE FROM paths WHERE cache_id = $1 AND hash_part = $2;", ct, cacheId, hashPart).ConfigureAwait(false);
                await session.ExecuteAsync(
                    "INSERT INTO events (cache_id, kind, store_path, token_id, at, reason) VALUES ($1, 'delete', $2, $3, $4, $5);",
                    ct,
                    cacheId,
                    storePath,
                    tokenId,
                    at,
                    reason).ConfigureAwait(false);
            }
            return new DeletePathsResult(deleted, [.. kept.Order(StringComparer.Ordinal)]);
        }, cancellationToken);
    }

    /// <summary>
    /// Of <paramref name="candidates"/>, those that must stay because a path staying in the cache references them:
    /// one not among the candidates, or a candidate that itself stays (to a fixpoint).
    /// </summary>
    private async Task<HashSet<string>> FindReferencedAsync(DbSession session, long cacheId, IReadOnlyCollection<string> candidates, CancellationToken ct)
    {
        var kept = new HashSet<string>(StringComparer.Ordinal);
        if (candidates.Count == 0)
        {
            return kept;
        }
        var edges = new List<(string Referenced, string Referrer)>();
        await using (var reader = await session.ReaderAsync(
            $"SELECT ref_hash_part, hash_part FROM path_refs WHERE cache_id = $1 AND ref_hash_part IN (SELECT t.h FROM {_dialect.TextSetSource(2, "t")});",
            ct,
            cacheId,
            new TextSet(candidates)).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                edges.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        var candidateSet = candidates.ToHashSet(StringComparer.Ordinal);
        bool changed;
        do
        {
            changed = false;
            foreach (var (referenced, referrer) in edges)
            {
                if (!kept.Contains(referenced) && (!candidateSet.Contains(referrer) || kept.Contains(referrer)))
                {
                    changed |= kept.Add(referenced);
                }
            }
        }
        while (changed);
        return kept;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Paths go in transactions of <see cref="DeleteBatchSize"/>, referrers first: a batch takes only paths that no
    /// remaining path of the cache references, so a deletion cut short leaves whole closures behind. The last
    /// transaction locks the cache row first (a commit racing it either committed before, and its path is released here,
    /// or fails on the missing cache), removes whatever is left, the staged uploads and resumable upload sessions, queues the build logs and deletes
    /// the cache row.
    /// </remarks>
    public async Task<bool> DeleteCacheAsync(long cacheId, CancellationToken cancellationToken)
    {
        while (await RunWriteAsync((session, ct) => DeletePathBatchAsync(session, cacheId, referrersOnly: true, ct), cancellationToken).ConfigureAwait(false) > 0)
        {
        }
        return await RunWriteAsync(async (session, ct) =>
        {
            if (await session.ScalarAsync($"SELECT id FROM caches WHERE id = $1{_dialect.ForUpdateOf("caches")};", ct, cacheId).ConfigureAwait(false) is null)
            {
                return false;
            }
            while (await DeletePathBatchAsync(session, cacheId, referrersOnly: true, ct).ConfigureAwait(false) > 0)
            {
            }
            // Only a reference cycle, which Nix never makes, could remain.
            while (await DeletePathBatchAsync(session, cacheId, referrersOnly: false, ct).ConfigureAwait(false) > 0)
            {
            }
            var now = _time.GetUtcNow();
            var staged = await ReadIdsAsync(session, "SELECT id FROM staged_nars WHERE cache_id = $1;", ct, cacheId).ConfigureAwait(false);
            if (staged.Count > 0)
            {
                await ReleaseStagedAsync(session, staged, now, ct).ConfigureAwait(false);
            }
            await ReleaseUploadSessionsAsync(session, "cache_id = $1", cacheId, now, ct).ConfigureAwait(false);
            await ReleaseCacheArtifactsAsync(session, cacheId, now, ct).ConfigureAwait(false);
            var logs = await ReadAllAsync(session, "SELECT storage_key FROM build_logs WHERE cache_id = $1;", reader => reader.GetString(0), ct, cacheId)
                .ConfigureAwait(false);
            await session.ExecuteAsync("DELETE FROM build_logs WHERE cache_id = $1;", ct, cacheId).ConfigureAwait(false);
            foreach (var key in logs)
            {
                await EnqueueUnusedLogAsync(session, key, now, ct).ConfigureAwait(false);
            }
            return await session.ExecuteAsync("DELETE FROM caches WHERE id = $1;", ct, cacheId).ConfigureAwait(false) > 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes up to <see cref="DeleteBatchSize"/> paths of the cache, with <paramref name="referrersOnly"/> only those no
    /// other path of the cache references, releasing their NARs; returns how many.
    /// </summary>
    private async Task<int> DeletePathBatchAsync(DbSession session, long cacheId, bool referrersOnly, CancellationToken ct)
    {
        var unreferenced = referrersOnly
            ? "AND NOT EXISTS (SELECT 1 FROM path_refs r WHERE r.cache_id = $1 AND r.ref_hash_part = p.hash_part AND r.hash_part <> p.hash_part)"
            : "";
        var narIds = await ReadIdsAsync(
            session,
            $"""
            DELETE FROM paths WHERE cache_id = $1 AND hash_part IN (SELECT p.hash_part FROM paths p WHERE p.cache_id = $1 {unreferenced} LIMIT $2)
            RETURNING nar_id;
            """,
            ct,
            cacheId,
            DeleteBatchSize).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        foreach (var nar in narIds.GroupBy(id => id).OrderBy(g => g.Key))
        {
            await ReleaseNarAsync(session, nar.Key, nar.Count(), now, ct).ConfigureAwait(false);
        }
        return narIds.Count;
    }
}
