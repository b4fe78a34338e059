namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    /// <summary>
    /// How far from due a queued blob must be to be claimed. Deletions are queued due now and intents due a TTL
    /// later, so only intents are claimable; the margin absorbs clock differences between replicas, so a blob the
    /// reaper is deleting (due by its clock) is never claimed by a commit.
    /// </summary>
    private static readonly TimeSpan ClaimMargin = TimeSpan.FromMinutes(1);
    /// <summary>
    /// Points <paramref name="ownerTable"/> rows of owner <paramref name="ownerId"/> at the chunks, in order, each
    /// occurrence a holder. An existing chunk row (same hash) is reused under its row lock; a new one must claim its
    /// blob's intent, which proves the blob was written for it and not deleted since. Chunk rows are taken in the order
    /// of their hashes, as every transaction that changes several takes them (see <see cref="ReleaseChunksAsync"/>), so
    /// concurrent pushes, releases and reaping sharing chunks never deadlock.
    /// </summary>
    private static async Task AttachChunksAsync(
        DbSession session, string ownerTable, string ownerColumn, long ownerId, IReadOnlyList<ChunkRecord> chunks, DateTimeOffset now, CancellationToken ct)
    {
        await MarkBeforeReuseAsync(session, ct).ConfigureAwait(false);
        var reused = await session.ScalarsAsync(ct, ReuseChunksStatements(chunks)).ConfigureAwait(false);
        var ids = await FillChunksWithoutRowsAsync(session, chunks, reused, now, ct).ConfigureAwait(false)
            ?? await AcquireChunksInOrderAsync(session, chunks, now, ct).ConfigureAwait(false);
        await FinishAttachingChunksAsync(session, ownerTable, ownerColumn, ownerId, chunks, ids, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The first step of <see cref="AttachChunksAsync"/>, for a caller that sends it with statements of its own after
    /// <see cref="MarkBeforeReuseAsync"/>: each distinct chunk's existing row gains its holders (in hash order),
    /// answering its id or null when there is no row.
    /// </summary>
    private static (string Sql, object?[] Args)[] ReuseChunksStatements(IReadOnlyList<ChunkRecord> chunks) =>
        [.. DistinctChunks(chunks).Select(same => (ReuseChunkSql, new object?[] { same.Key, same.Count() }))];

    /// <summary>Where statements go out together, a savepoint that <see cref="FillChunksWithoutRowsAsync"/> can undo the batch to.</summary>
    private static Task MarkBeforeReuseAsync(DbSession session, CancellationToken ct) =>
        session.BatchesStatements ? session.DeferAsync(SavepointSql, ct) : Task.CompletedTask;

    /// <summary>
    /// Every distinct chunk's row id in hash order, inserting (claiming its blob) the row of a chunk that had none
    /// (reaped meanwhile, or never registered); or null when the caller must redo its work since the savepoint. Where
    /// statements are batched, that insert would come after the rows of higher hashes the batch already locked, against
    /// the hash order that keeps concurrent transactions from deadlocking: so the batch is rolled back to the savepoint
    /// (releasing those row locks) and the caller takes the chunks one by one (<see cref="AcquireChunksInOrderAsync"/>).
    /// Where every statement runs at once (SQLite: one writer at a time), no one else holds chunk rows meanwhile, and the
    /// missing rows are filled in.
    /// </summary>
    private static async Task<object?[]?> FillChunksWithoutRowsAsync(
        DbSession session, IReadOnlyList<ChunkRecord> chunks, object?[] reused, DateTimeOffset now, CancellationToken ct)
    {
        if (Array.IndexOf(reused, null) < 0)
        {
            return reused;
        }
        if (session.BatchesStatements)
        {
            await session.ExecuteAsync(RollbackToSavepointSql, ct).ConfigureAwait(false);
            return null;
        }
        var index = 0;
        foreach (var same in DistinctChunks(chunks))
        {
            reused[index] ??= await AcquireChunkAsync(session, same.First(), same.Count(), now, ct).ConfigureAwait(false);
            index++;
        }
        return reused;
    }

    /// <summary>Each distinct chunk's row in hash order, its holders added, inserted (claiming its blob) where it has none.</summary>
    private static async Task<object?[]> AcquireChunksInOrderAsync(DbSession session, IReadOnlyList<ChunkRecord> chunks, DateTimeOffset now, CancellationToken ct)
    {
        var ids = new List<object?>();
        foreach (var same in DistinctChunks(chunks))
        {
            ids.Add(await AcquireChunkAsync(session, same.First(), same.Count(), now, ct).ConfigureAwait(false));
        }
        return [.. ids];
    }

    /// <summary>The rest of <see cref="AttachChunksAsync"/>, given every distinct chunk's row id in hash order.</summary>
    private static async Task FinishAttachingChunksAsync(
        DbSession session, string ownerTable, string ownerColumn, long ownerId, IReadOnlyList<ChunkRecord> chunks, object?[] reused, CancellationToken ct)
    {
        if (session.BatchesStatements)
        {
            await session.DeferAsync(ReleaseSavepointSql, ct).ConfigureAwait(false);
        }
        var ids = new Dictionary<string, long>(StringComparer.Ordinal);
        var index = 0;
        foreach (var same in DistinctChunks(chunks))
        {
            ids[same.Key] = (long)reused[index++]!;
        }
        for (var seq = 0; seq < chunks.Count; seq++)
        {
            await session.DeferAsync(
                $"INSERT INTO {ownerTable} ({ownerColumn}, seq, chunk_id) VALUES ($1, $2, $3);", ct, ownerId, seq, ids[chunks[seq].Hash]).ConfigureAwait(false);
        }
    }

    private const string ReuseChunkSql = "UPDATE chunks SET holders = holders + $2, released_at = NULL WHERE hash = $1 RETURNING id;";
    private const string SavepointSql = "SAVEPOINT attach_chunks;";
    private const string RollbackToSavepointSql = "ROLLBACK TO SAVEPOINT attach_chunks;";
    private const string ReleaseSavepointSql = "RELEASE SAVEPOINT attach_chunks;";

    private static IEnumerable<IGrouping<string, ChunkRecord>> DistinctChunks(IReadOnlyList<ChunkRecord> chunks) =>
        chunks.GroupBy(chunk => chunk.Hash, StringComparer.Ordinal).OrderBy(group => group.Key, StringComparer.Ordinal);

    private static async Task<long> AcquireChunkAsync(DbSession session, ChunkRecord chunk, int holders, DateTimeOffset now, CancellationToken ct)
    {
        if (await session.ScalarAsync(ReuseChunkSql, ct, chunk.Hash, holders).ConfigureAwait(false) is long existing)
        {
            return existing;
        }
        if (!await ClaimBlobAsync(session, chunk.StorageKey, now, ct).ConfigureAwait(false))
        {
            // Deleted, or never announced, while this upload was in progress.
            throw new UnknownChunksException([chunk.Hash]);
        }
        if (await InsertChunkAsync(session, chunk, holders, releasedAt: null, now, ct).ConfigureAwait(false) is { } id)
        {
            return id;
        }
        // A concurrent upload of the same chunk won; ours is surplus.
        await EnqueueBlobAsync(session, chunk.StorageKey, now, ct).ConfigureAwait(false);
        return (long)(await session.ScalarAsync(ReuseChunkSql, ct, chunk.Hash, holders).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"chunk {chunk.Hash} conflicted on insert but cannot be read back"));
    }

    /// <summary>Inserts a chunk row unless one with its hash exists (then null: a concurrent insert won and has committed).</summary>
    private static async Task<long?> InsertChunkAsync(
        DbSession session, ChunkRecord chunk, int holders, DateTimeOffset? releasedAt, DateTimeOffset now, CancellationToken ct)
    {
        var (sql, args) = InsertChunkStatement(chunk, holders, releasedAt, now);
        return await session.ScalarAsync(sql, ct, args).ConfigureAwait(false) as long?;
    }

    /// <summary>The statement of <see cref="InsertChunkAsync"/>: answers the new row's id, or null.</summary>
    private static (string Sql, object?[] Args) InsertChunkStatement(ChunkRecord chunk, int holders, DateTimeOffset? releasedAt, DateTimeOffset now) =>
        ("""
         INSERT INTO chunks (hash, storage_key, size, stored_hash, stored_size, compression, holders, released_at, created_at, pack_key, pack_offset)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (hash) DO NOTHING RETURNING id;
         """,
        [
            chunk.Hash,
            chunk.StorageKey,
            chunk.Size,
            chunk.StoredHash,
            chunk.StoredSize,
            chunk.Compression,
            holders,
            releasedAt,
            now,
            chunk.PackKey,
            chunk.PackKey is null ? null : chunk.PackOffset,
        ]);

    /// <summary>
    /// Removes each chunk holder that <paramref name="ownerTable"/> rows of the owners <paramref name="ownerIds"/> account
    /// for, in one statement that locks the chunk rows in the order of their hashes first (see <see cref="AttachChunksAsync"/>).
    /// </summary>
    private Task ReleaseChunksAsync(
        DbSession session, string ownerTable, string ownerColumn, IReadOnlyCollection<long> ownerIds, DateTimeOffset now, CancellationToken ct) =>
        session.DeferAsync(
            $"""
            UPDATE chunks SET holders = holders - r.n, released_at = CASE WHEN holders = r.n THEN $2 ELSE released_at END
            FROM (
                SELECT c.id, o.n FROM chunks c
                JOIN (
                    SELECT chunk_id, COUNT(*) AS n FROM {ownerTable}
                    WHERE {ownerColumn} IN (SELECT CAST(t.h AS BIGINT) FROM {_dialect.TextSetSource(1, "t")}) GROUP BY chunk_id
                ) AS o ON o.chunk_id = c.id
                ORDER BY c.hash{_dialect.OrdinalCollation}{_dialect.ForNoKeyUpdateOf("c")}
            ) AS r
            WHERE chunks.id = r.id;
            """,
            ct,
            IdSet(ownerIds),
            now);

    /// <summary>Ids as a <see cref="TextSet"/>, read in SQL as <c>CAST(t.h AS BIGINT)</c>.</summary>
    private static TextSet IdSet(IReadOnlyCollection<long> ids) =>
        new([.. ids.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture))]);

    private static Task ReleaseNarAsync(DbSession session, long narId, int count, DateTimeOffset now, CancellationToken ct) =>
        session.DeferAsync(
            "UPDATE nars SET holders = holders - $2, released_at = CASE WHEN holders = $2 THEN $3 ELSE released_at END WHERE id = $1;",
            ct,
            narId,
            count,
            now);

    /// <summary>
    /// Takes <paramref name="storageKey"/> off the deletion queue if it is queued as an intent that is not about to be
    /// due (see <see cref="ClaimMargin"/>); false otherwise, when its blob may be gone or about to go.
    /// </summary>
    private static async Task<bool> ClaimBlobAsync(DbSession session, string storageKey, DateTimeOffset now, CancellationToken ct)
    {
        var (sql, args) = ClaimBlobStatement(storageKey, now);
        return await session.ScalarAsync(sql, ct, args).ConfigureAwait(false) is not null;
    }

    /// <summary>The statement of <see cref="ClaimBlobAsync"/>: answers the key when claimed, else null.</summary>
    private static (string Sql, object?[] Args) ClaimBlobStatement(string storageKey, DateTimeOffset now) =>
        ("DELETE FROM blob_deletions WHERE storage_key = $1 AND due_at > $2 RETURNING storage_key;", [storageKey, now + ClaimMargin]);

    private static Task EnqueueBlobAsync(DbSession session, string storageKey, DateTimeOffset dueAt, CancellationToken ct) =>
        session.DeferAsync(
            "INSERT INTO blob_deletions (storage_key, due_at) VALUES ($1, $2) ON CONFLICT (storage_key) DO NOTHING;", ct, storageKey, dueAt);

    private static Task<IReadOnlyList<long>> ReadIdsAsync(DbSession session, string sql, CancellationToken ct, params object?[] args) =>
        ReadAllAsync(session, sql, reader => reader.GetInt64(0), ct, args);
}
