using System.Data.Common;
using System.Globalization;

namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    private const string ArtifactColumns = "a.id, a.cache_id, a.key, a.sha256, a.size, a.stored_size, a.created_at, a.last_used_at";

    /// <inheritdoc />
    public Task<ArtifactRecord> AddArtifactAsync(ArtifactRecord artifact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        return RunWriteAsync(async (session, ct) =>
        {
            var id = (long)(await session.ScalarAsync(
                """
                INSERT INTO artifacts (cache_id, key, sha256, size, stored_size, created_at, last_used_at)
                VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id;
                """,
                ct,
                artifact.CacheId,
                artifact.Key,
                artifact.Sha256,
                artifact.Size,
                artifact.StoredSize,
                artifact.CreatedAt).ConfigureAwait(false))!;
            await AttachChunksAsync(session, "artifact_chunks", "artifact_id", id, artifact.Chunks, artifact.CreatedAt, ct).ConfigureAwait(false);
            return artifact with { Id = id, LastUsedAt = artifact.CreatedAt };
        }, cancellationToken, idempotent: false);
    }

    /// <inheritdoc />
    public Task<ArtifactRecord?> FindArtifactAsync(long cacheId, IReadOnlyList<string> keys, DateTimeOffset usedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return RunWriteAsync(async (session, ct) =>
        {
            foreach (var key in keys)
            {
                if (await session.ScalarAsync(
                    "SELECT id FROM artifacts WHERE cache_id = $1 AND key = $2 ORDER BY created_at DESC, id DESC LIMIT 1;", ct, cacheId, key)
                    .ConfigureAwait(false) is not long id)
                {
                    continue;
                }
                await session.ExecuteAsync("UPDATE artifacts SET last_used_at = $2 WHERE id = $1;", ct, id, usedAt).ConfigureAwait(false);
                await using var reader = await session.ReaderAsync(
                    $"""
                    SELECT {ArtifactColumns}, {ChunkColumns}
                    FROM artifacts a LEFT JOIN artifact_chunks ac ON ac.artifact_id = a.id LEFT JOIN chunks c ON c.id = ac.chunk_id
                    WHERE a.id = $1 ORDER BY ac.seq;
                    """,
                    ct,
                    id).ConfigureAwait(false);
                if (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    var chunks = new List<ChunkRecord>();
                    var artifact = ReadArtifact(reader, chunks);
                    await ReadChunksAsync(reader, 0, 8, chunks, ct).ConfigureAwait(false);
                    return artifact;
                }
            }
            return null;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ArtifactRecord>> ListArtifactsAsync(long cacheId, CancellationToken cancellationToken) => RunAsync(
        (session, ct) => ReadAllAsync(
            session,
            $"SELECT {ArtifactColumns} FROM artifacts a WHERE a.cache_id = $1 ORDER BY a.key, a.created_at DESC, a.id DESC;",
            reader => ReadArtifact(reader, []),
            ct,
            cacheId),
        cancellationToken);

    /// <inheritdoc />
    public Task<int> DeleteArtifactsAsync(long cacheId, string key, CancellationToken cancellationToken) => RunWriteAsync(async (session, ct) =>
    {
        var ids = await ReadIdsAsync(session, "SELECT id FROM artifacts WHERE cache_id = $1 AND key = $2;", ct, cacheId, key).ConfigureAwait(false);
        await DeleteArtifactRowsAsync(session, ids, _time.GetUtcNow(), ct).ConfigureAwait(false);
        return ids.Count;
    }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>One transaction: the uploads beyond the newest N of their key, then those created before the cutoff,
    /// then the least recently used of the rest while the total stored size exceeds the limit.</remarks>
    public Task<int> PruneArtifactsAsync(long cacheId, ArtifactPrune prune, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prune);
        return RunWriteAsync(async (session, ct) =>
        {
            var doomed = new HashSet<long>();
            if (prune.KeepPerKey is { } keep)
            {
                doomed.UnionWith(await ReadIdsAsync(
                    session,
                    """
                    SELECT a.id FROM artifacts a
                    WHERE a.cache_id = $1 AND (SELECT COUNT(*) FROM artifacts b
                        WHERE b.cache_id = a.cache_id AND b.key = a.key AND (b.created_at > a.created_at OR (b.created_at = a.created_at AND b.id > a.id))) >= $2;
                    """,
                    ct,
                    cacheId,
                    keep).ConfigureAwait(false));
            }
            if (prune.CreatedBefore is { } cutoff)
            {
                doomed.UnionWith(await ReadIdsAsync(session, "SELECT id FROM artifacts WHERE cache_id = $1 AND created_at < $2;", ct, cacheId, cutoff)
                    .ConfigureAwait(false));
            }
            if (prune.MaxTotalBytes is { } maxBytes)
            {
                var byRecentUse = await ReadAllAsync(
                    session,
                    "SELECT id, stored_size FROM artifacts WHERE cache_id = $1 ORDER BY last_used_at DESC, id DESC;",
                    reader => (Id: reader.GetInt64(0), StoredSize: reader.GetInt64(1)),
                    ct,
                    cacheId).ConfigureAwait(false);
                long kept = 0;
                foreach (var (id, storedSize) in byRecentUse.Where(a => !doomed.Contains(a.Id)))
                {
                    kept += storedSize;
                    if (kept > maxBytes)
                    {
                        doomed.Add(id);
                    }
                }
            }
            await DeleteArtifactRowsAsync(session, [.. doomed], _time.GetUtcNow(), ct).ConfigureAwait(false);
            return doomed.Count;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ArtifactRetentionSettings> GetArtifactRetentionAsync(long cacheId, CancellationToken cancellationToken) => RunAsync(async (session, ct) =>
    {
        await using var reader = await session.ReaderAsync(
            "SELECT keep_per_key, max_age_days, max_total_bytes FROM artifact_retention WHERE cache_id = $1;", ct, cacheId).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false)
            ? new ArtifactRetentionSettings(ReadNullableInt(reader, 0), ReadNullableInt(reader, 1), reader.IsDBNull(2) ? null : reader.GetInt64(2))
            : ArtifactRetentionSettings.None;
    }, cancellationToken);

    /// <inheritdoc />
    public Task SetArtifactRetentionAsync(long cacheId, ArtifactRetentionSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return RunWriteAsync(
            (session, ct) => session.ExecuteAsync(
                """
                INSERT INTO artifact_retention (cache_id, keep_per_key, max_age_days, max_total_bytes) VALUES ($1, $2, $3, $4)
                ON CONFLICT (cache_id) DO UPDATE SET
                    keep_per_key = excluded.keep_per_key, max_age_days = excluded.max_age_days, max_total_bytes = excluded.max_total_bytes;
                """,
                ct,
                cacheId,
                settings.KeepPerKey,
                settings.MaxAgeDays,
                settings.MaxTotalBytes),
            cancellationToken);
    }

    /// <summary>Releases every archive of the cache (part of deleting the cache, in its transaction).</summary>
    private async Task ReleaseCacheArtifactsAsync(DbSession session, long cacheId, DateTimeOffset now, CancellationToken ct)
    {
        var ids = await ReadIdsAsync(session, "SELECT id FROM artifacts WHERE cache_id = $1;", ct, cacheId).ConfigureAwait(false);
        await DeleteArtifactRowsAsync(session, ids, now, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes archive rows, locked first in the order of their ids (so concurrent deletions release once), their
    /// chunks released in one statement (in hash order, see <see cref="ReleaseChunksAsync"/>).
    /// </summary>
    private async Task DeleteArtifactRowsAsync(DbSession session, IReadOnlyCollection<long> ids, DateTimeOffset now, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return;
        }
        var locked = await ReadIdsAsync(
            session,
            $"SELECT id FROM artifacts WHERE id IN (SELECT CAST(t.h AS BIGINT) FROM {_dialect.TextSetSource(1, "t")}) ORDER BY id{_dialect.ForUpdateOf("artifacts")};",
            ct,
            IdSet(ids)).ConfigureAwait(false);
        if (locked.Count == 0)
        {
            return;
        }
        await ReleaseChunksAsync(session, "artifact_chunks", "artifact_id", locked, now, ct).ConfigureAwait(false);
        await session.ExecuteAsync(
            $"DELETE FROM artifacts WHERE id IN (SELECT CAST(t.h AS BIGINT) FROM {_dialect.TextSetSource(1, "t")});", ct, IdSet(locked)).ConfigureAwait(false);
    }

    private ArtifactRecord ReadArtifact(DbDataReader reader, IReadOnlyList<ChunkRecord> chunks) => new(
        reader.GetInt64(0),
        reader.GetInt64(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetInt64(4),
        reader.GetInt64(5),
        chunks,
        _dialect.ReadTime(reader, 6),
        _dialect.ReadTime(reader, 7));

    private static int? ReadNullableInt(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Convert.ToInt32(reader.GetValue(ordinal), CultureInfo.InvariantCulture);
}
