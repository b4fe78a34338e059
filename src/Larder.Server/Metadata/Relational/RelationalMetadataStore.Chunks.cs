namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    private const string ChunkRowColumns = "hash, storage_key, size, stored_hash, stored_size, compression, pack_key, pack_offset";

    /// <inheritdoc />
    /// <remarks>
    /// One read over the hashes as one <see cref="TextSet"/> (the unique index on <c>hash</c>). Only when it finds a
    /// chunk whose release time must move does a write transaction of two statements follow (the update, and the read
    /// again); a new chunk, the usual case in a push, costs no transaction.
    /// </remarks>
    public async Task<IReadOnlyList<ChunkRecord>> FindChunksAsync(IReadOnlyCollection<string> hashes, DateTimeOffset releasedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        if (hashes.Count == 0)
        {
            return [];
        }
        var set = new TextSet([.. hashes.Distinct(StringComparer.Ordinal)]);
        var found = await RunAsync(
            (session, ct) => ReadAllAsync(
                session,
                $"SELECT {ChunkRowColumns}, COALESCE(holders = 0 AND released_at < $2, FALSE) FROM chunks WHERE hash IN (SELECT t.h FROM {_dialect.TextSetSource(1, "t")});",
                reader => (Chunk: ReadChunk(reader, 0), Keep: reader.GetBoolean(8)),
                ct,
                set,
                releasedAt),
            cancellationToken).ConfigureAwait(false);
        if (!found.Any(chunk => chunk.Keep))
        {
            return [.. found.Select(chunk => chunk.Chunk)];
        }
        return await RunWriteAsync(async (session, ct) =>
        {
            // Rows locked in hash order, as everywhere (see ReleaseChunksAsync).
            await session.ExecuteAsync(
                $"""
                UPDATE chunks SET released_at = $2
                WHERE id IN (
                    SELECT c.id FROM chunks c WHERE c.hash IN (SELECT t.h FROM {_dialect.TextSetSource(1, "t")}) AND c.holders = 0 AND c.released_at < $2
                    ORDER BY c.hash{_dialect.OrdinalCollation}{_dialect.ForNoKeyUpdateOf("c")});
                """,
                ct,
                set,
                releasedAt).ConfigureAwait(false);
            return await ReadAllAsync(
                session,
                $"SELECT {ChunkRowColumns} FROM chunks WHERE hash IN (SELECT t.h FROM {_dialect.TextSetSource(1, "t")});",
                reader => ReadChunk(reader, 0),
                ct,
                set).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The intent is claimed and the row inserted first: a new chunk, the usual case, costs two statements. When a row
    /// with the hash exists (a concurrent registration won the unique hash and has committed: ON CONFLICT waited for
    /// it), it is kept under its row lock (a reaper deleting it either went first, and the insert is tried again, or
    /// waits and finds it released later), and the new blob goes to the deletion queue.
    /// </remarks>
    public Task<ChunkRecord> RegisterChunkAsync(ChunkRecord chunk, DateTimeOffset releasedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        return RunWriteAsync(async (session, ct) =>
        {
            var now = _time.GetUtcNow();
            // The claim and the first insert go out together (one round trip where the dialect batches): a row inserted
            // without its claim is undone by the rollback that UnknownChunksException causes.
            var first = await session.ScalarsAsync(ct, ClaimBlobStatement(chunk.StorageKey, now), InsertChunkStatement(chunk, 0, releasedAt, now))
                .ConfigureAwait(false);
            var claimed = first[0] is not null;
            if (first[1] is not null)
            {
                return claimed ? chunk : throw new UnknownChunksException([chunk.Hash]);
            }
            for (var attempt = 0; attempt < 2; attempt++)
            {
                if (attempt > 0 && claimed && await InsertChunkAsync(session, chunk, holders: 0, releasedAt, now, ct).ConfigureAwait(false) is not null)
                {
                    return chunk;
                }
                if (await KeepChunkAsync(session, chunk.Hash, releasedAt, ct).ConfigureAwait(false) is { } existing)
                {
                    await session.ExecuteAsync(
                        "INSERT INTO blob_deletions (storage_key, due_at) VALUES ($1, $2) ON CONFLICT (storage_key) DO UPDATE SET due_at = excluded.due_at;",
                        ct,
                        chunk.StorageKey,
                        now).ConfigureAwait(false);
                    return existing;
                }
                if (!claimed)
                {
                    throw new UnknownChunksException([chunk.Hash]);
                }
                // The row that won the insert was reaped meanwhile: insert again.
            }
            throw new InvalidOperationException($"chunk {chunk.Hash} conflicted on insert but cannot be read back");
        }, cancellationToken, idempotent: false);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ChunkRecord>> RegisterPackAsync(
        string packKey, IReadOnlyList<ChunkRecord> chunks, DateTimeOffset releasedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        return RunWriteAsync<IReadOnlyList<ChunkRecord>>(async (session, ct) =>
        {
            var now = _time.GetUtcNow();
            if (!await ClaimBlobAsync(session, packKey, now, ct).ConfigureAwait(false))
            {
                throw new UnknownChunksException([.. chunks.Select(chunk => chunk.Hash)]);
            }
            // In the pack's order for the caller, but the rows taken in hash order (see AttachChunksAsync).
            var registered = new Dictionary<string, ChunkRecord>(StringComparer.Ordinal);
            var inserted = 0;
            foreach (var chunk in chunks.DistinctBy(chunk => chunk.Hash, StringComparer.Ordinal).OrderBy(chunk => chunk.Hash, StringComparer.Ordinal))
            {
                // A row found (existing, or inserted meanwhile by a concurrent registration) wins; ours stays dead bytes in the pack.
                if (await KeepChunkAsync(session, chunk.Hash, releasedAt, ct).ConfigureAwait(false) is { } existing)
                {
                    registered[chunk.Hash] = existing;
                }
                else if (await InsertChunkAsync(session, chunk, holders: 0, releasedAt, now, ct).ConfigureAwait(false) is not null)
                {
                    registered[chunk.Hash] = chunk;
                    inserted++;
                }
                else
                {
                    registered[chunk.Hash] = await KeepChunkAsync(session, chunk.Hash, releasedAt, ct).ConfigureAwait(false)
                        ?? throw new InvalidOperationException($"chunk {chunk.Hash} conflicted on insert but cannot be read back");
                }
            }
            if (inserted == 0)
            {
                await EnqueueBlobAsync(session, packKey, now, ct).ConfigureAwait(false);
            }
            return [.. chunks.Select(chunk => registered[chunk.Hash])];
        }, cancellationToken, idempotent: false);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<NarRecord>> ListSingleChunkNarsAsync(long afterId, long minNarSize, int limit, CancellationToken cancellationToken) =>
        RunAsync(
            (session, ct) => ReadNarsAsync(
                session,
                $"""
                SELECT {NarColumns}, {ChunkColumns}
                FROM (SELECT * FROM nars WHERE id > $1 AND nar_size > $2
                        AND (SELECT COUNT(*) FROM nar_chunks x WHERE x.nar_id = nars.id) = 1
                      ORDER BY id LIMIT $3) n
                {NarChunksJoin}
                ORDER BY n.id, nc.seq;
                """,
                ct,
                afterId,
                minNarSize,
                limit),
            cancellationToken);

    /// <inheritdoc />
    public Task<bool> ReplaceNarChunksAsync(
        long narId, string expectedFileHash, string fileHash, long fileSize, IReadOnlyList<ChunkRecord> chunks, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        return RunWriteAsync(async (session, ct) =>
        {
            if (await session.ScalarAsync(
                $"SELECT id FROM nars WHERE id = $1 AND file_hash = $2{_dialect.ForUpdateOf("nars")};", ct, narId, expectedFileHash)
                .ConfigureAwait(false) is null)
            {
                return false;
            }
            await ReleaseChunksAsync(session, "nar_chunks", "nar_id", [narId], now, ct).ConfigureAwait(false);
            await session.ExecuteAsync("DELETE FROM nar_chunks WHERE nar_id = $1;", ct, narId).ConfigureAwait(false);
            await AttachChunksAsync(session, "nar_chunks", "nar_id", narId, chunks, now, ct).ConfigureAwait(false);
            await session.ExecuteAsync(
                "UPDATE nars SET file_hash = $2, file_size = $3, previous_file_hash = file_hash WHERE id = $1;", ct, narId, fileHash, fileSize)
                .ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <summary>The chunk with <paramref name="hash"/>, its release time moved forward to <paramref name="releasedAt"/> when it has no holder; null when absent.</summary>
    private static async Task<ChunkRecord?> KeepChunkAsync(DbSession session, string hash, DateTimeOffset releasedAt, CancellationToken ct)
    {
        await using var reader = await session.ReaderAsync(
            $"""
            UPDATE chunks SET released_at = CASE WHEN holders = 0 AND released_at < $2 THEN $2 ELSE released_at END
            WHERE hash = $1 RETURNING {ChunkRowColumns};
            """,
            ct,
            hash,
            releasedAt).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadChunk(reader, 0) : null;
    }
}
