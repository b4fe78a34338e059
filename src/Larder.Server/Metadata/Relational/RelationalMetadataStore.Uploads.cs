using System.Globalization;

namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    /// <inheritdoc />
    public Task CreateUploadSessionAsync(UploadSessionRecord session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        return RunWriteAsync(
            (s, ct) => s.ExecuteAsync(
                "INSERT INTO upload_sessions (id, cache_id, request, received, created_at, touched_at) VALUES ($1, $2, $3, 0, $4, $4);",
                ct,
                session.Id,
                session.CacheId,
                session.Request,
                session.CreatedAt),
            cancellationToken,
            idempotent: false);
    }

    /// <inheritdoc />
    public Task<UploadSessionRecord?> TouchUploadSessionAsync(
        long cacheId, string id, DateTimeOffset touchedAfter, DateTimeOffset now, CancellationToken cancellationToken) => RunWriteAsync(
        async (session, ct) =>
        {
            UploadSessionRecord? found = null;
            await using (var reader = await session.ReaderAsync(
                $"SELECT request, received, created_at FROM upload_sessions WHERE id = $1 AND cache_id = $2 AND touched_at >= $3{_dialect.ForUpdateOf("upload_sessions")};",
                ct,
                id,
                cacheId,
                touchedAfter).ConfigureAwait(false))
            {
                if (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    found = new UploadSessionRecord(id, cacheId, reader.GetString(0), reader.GetInt64(1), _dialect.ReadTime(reader, 2), now, []);
                }
            }
            if (found is null)
            {
                return null;
            }
            await session.ExecuteAsync("UPDATE upload_sessions SET touched_at = $2 WHERE id = $1;", ct, id, now).ConfigureAwait(false);
            var parts = await ReadAllAsync(
                session,
                "SELECT start_offset, size, storage_key FROM upload_parts WHERE session_id = $1 ORDER BY start_offset;",
                reader => new UploadPartRecord(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2)),
                ct,
                id).ConfigureAwait(false);
            return found with { Parts = parts };
        },
        cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// The session row is locked first, so of two parts racing for one offset (on any replicas) exactly one is added; the
    /// other's blob is queued at once.
    /// </remarks>
    public Task<UploadPartResult> AddUploadPartAsync(string id, UploadPartRecord part, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(part);
        return RunWriteAsync(async (session, ct) =>
        {
            var received = await session.ScalarAsync(
                $"SELECT received FROM upload_sessions WHERE id = $1{_dialect.ForUpdateOf("upload_sessions")};", ct, id).ConfigureAwait(false);
            if (received is null || Convert.ToInt64(received, CultureInfo.InvariantCulture) != part.Offset
                || !await ClaimBlobAsync(session, part.StorageKey, now, ct).ConfigureAwait(false))
            {
                await session.ExecuteAsync(
                    "INSERT INTO blob_deletions (storage_key, due_at) VALUES ($1, $2) ON CONFLICT (storage_key) DO UPDATE SET due_at = excluded.due_at;",
                    ct,
                    part.StorageKey,
                    now).ConfigureAwait(false);
                return received is null
                    ? new UploadPartResult(false, false, 0)
                    : new UploadPartResult(true, false, Convert.ToInt64(received, CultureInfo.InvariantCulture));
            }
            await session.ExecuteAsync(
                "INSERT INTO upload_parts (session_id, start_offset, size, storage_key) VALUES ($1, $2, $3, $4);",
                ct,
                id,
                part.Offset,
                part.Size,
                part.StorageKey).ConfigureAwait(false);
            await session.ExecuteAsync(
                "UPDATE upload_sessions SET received = $2, touched_at = $3 WHERE id = $1;", ct, id, part.Offset + part.Size, now).ConfigureAwait(false);
            return new UploadPartResult(true, true, part.Offset + part.Size);
        }, cancellationToken, idempotent: false);
    }

    /// <inheritdoc />
    public Task<bool> DeleteUploadSessionAsync(string id, DateTimeOffset now, CancellationToken cancellationToken) => RunWriteAsync(
        async (session, ct) => await ReleaseUploadSessionsAsync(session, "id = $1", id, now, ct).ConfigureAwait(false) > 0,
        cancellationToken);

    /// <inheritdoc />
    public Task<int> ExpireUploadSessionsAsync(DateTimeOffset cutoff, DateTimeOffset now, int limit, CancellationToken cancellationToken) => RunWriteAsync(
        async (session, ct) =>
        {
            var ids = await ReadAllAsync(
                session,
                "SELECT id FROM upload_sessions WHERE touched_at < $1 ORDER BY touched_at LIMIT $2;",
                reader => reader.GetString(0),
                ct,
                cutoff,
                limit).ConfigureAwait(false);
            foreach (var id in ids)
            {
                await ReleaseUploadSessionsAsync(session, "id = $1", id, now, ct).ConfigureAwait(false);
            }
            return ids.Count;
        },
        cancellationToken);

    /// <summary>
    /// Deletes the upload sessions matching <paramref name="where"/> (over <c>$1</c> = <paramref name="argument"/>) and
    /// queues their parts' blobs, due at <paramref name="now"/>; returns how many sessions went.
    /// </summary>
    private static async Task<int> ReleaseUploadSessionsAsync(DbSession session, string where, object argument, DateTimeOffset now, CancellationToken ct)
    {
        await session.ExecuteAsync(
            $"""
            INSERT INTO blob_deletions (storage_key, due_at)
            SELECT p.storage_key, $2 FROM upload_parts p WHERE p.session_id IN (SELECT id FROM upload_sessions WHERE {where})
            ON CONFLICT (storage_key) DO NOTHING;
            """,
            ct,
            argument,
            now).ConfigureAwait(false);
        return await session.ExecuteAsync($"DELETE FROM upload_sessions WHERE {where};", ct, argument).ConfigureAwait(false);
    }
}
