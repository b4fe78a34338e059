using System.Data.Common;

namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    private const string StagedColumns =
        "s.id, s.cache_id, s.upload_url, s.upload_file_hash, s.upload_file_size, s.nar_hash, s.nar_size, s.file_hash, s.file_size, s.listing_key, s.created_at";

    /// <inheritdoc />
    public Task<StagedNarRecord> AddStagedNarAsync(StagedNarRecord staged, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(staged);
        return RunWriteAsync(async (session, ct) =>
        {
            // The row, the listing's claim and the chunks' holders in one round trip where the dialect batches (the
            // listing's key is this upload's own, so taking its queue row first waits on no one).
            (string, object?[]) insert = (
                """
                INSERT INTO staged_nars (cache_id, upload_url, upload_file_hash, upload_file_size, nar_hash, nar_size, file_hash, file_size, listing_key, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id;
                """,
                [
                    staged.CacheId,
                    staged.UploadUrl,
                    staged.UploadFileHash,
                    staged.UploadFileSize,
                    staged.NarHash,
                    staged.NarSize,
                    staged.FileHash,
                    staged.FileSize,
                    staged.ListingKey,
                    staged.CreatedAt,
                ]);
            var claim = staged.ListingKey is { } key ? [ClaimBlobStatement(key, staged.CreatedAt)] : Array.Empty<(string, object?[])>();
            await MarkBeforeReuseAsync(session, ct).ConfigureAwait(false);
            var results = await session.ScalarsAsync(ct, [insert, .. claim, .. ReuseChunksStatements(staged.Chunks)]).ConfigureAwait(false);
            if (await FillChunksWithoutRowsAsync(session, staged.Chunks, results[(1 + claim.Length)..], staged.CreatedAt, ct).ConfigureAwait(false)
                is not { } chunkIds)
            {
                results = await session.ScalarsAsync(ct, [insert, .. claim]).ConfigureAwait(false);
                chunkIds = await AcquireChunksInOrderAsync(session, staged.Chunks, staged.CreatedAt, ct).ConfigureAwait(false);
            }
            var id = (long)results[0]!;
            await FinishAttachingChunksAsync(session, "staged_chunks", "staged_id", id, staged.Chunks, chunkIds, ct).ConfigureAwait(false);
            if (claim.Length > 0 && results[1] is null)
            {
                await session.DeferAsync("UPDATE staged_nars SET listing_key = NULL WHERE id = $1;", ct, id).ConfigureAwait(false);
                return staged with { Id = id, ListingKey = null };
            }
            return staged with { Id = id };
        }, cancellationToken, idempotent: false);
    }

    /// <inheritdoc />
    public Task<StagedNarRecord?> GetStagedNarAsync(long cacheId, string uploadUrl, CancellationToken cancellationToken) => RunAsync(async (session, ct) =>
    {
        await using var reader = await session.ReaderAsync(
            $"""
            SELECT {StagedColumns}, {ChunkColumns}
            FROM (SELECT * FROM staged_nars WHERE cache_id = $1 AND upload_url = $2 ORDER BY id DESC LIMIT 1) s
            LEFT JOIN staged_chunks sc ON sc.staged_id = s.id LEFT JOIN chunks c ON c.id = sc.chunk_id
            ORDER BY sc.seq;
            """,
            ct,
            cacheId,
            uploadUrl).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            return null;
        }
        var (staged, _) = await ReadStagedAsync(reader, ct).ConfigureAwait(false);
        return staged;
    }, cancellationToken);

    /// <inheritdoc />
    public Task DeleteStagedNarAsync(long stagedId, CancellationToken cancellationToken) => RunWriteAsync(
        async (session, ct) =>
        {
            await ReleaseStagedAsync(session, [stagedId], _time.GetUtcNow(), ct).ConfigureAwait(false);
            return true;
        },
        cancellationToken);

    /// <inheritdoc />
    public Task<int> ExpireStagedNarsAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken) => RunWriteAsync(async (session, ct) =>
    {
        var ids = await ReadIdsAsync(session, "SELECT id FROM staged_nars WHERE created_at < $1 ORDER BY created_at LIMIT $2;", ct, cutoff, limit)
            .ConfigureAwait(false);
        if (ids.Count > 0)
        {
            await ReleaseStagedAsync(session, ids, _time.GetUtcNow(), ct).ConfigureAwait(false);
        }
        return ids.Count;
    }, cancellationToken);

    /// <summary>
    /// Deletes staged uploads: releases their chunks and queues their listings unless a NAR took one over (in this
    /// transaction, on commit) or, for keys from before unique keys, another upload still names it. The rows are locked
    /// first, in the order of their ids, so of concurrent releases (a commit consuming one, the reaper expiring it, its
    /// cache's deletion) only the first releases anything: the others find it gone. Their chunks are released in one
    /// statement (in hash order, see <see cref="ReleaseChunksAsync"/>).
    /// </summary>
    private async Task ReleaseStagedAsync(DbSession session, IReadOnlyCollection<long> stagedIds, DateTimeOffset now, CancellationToken ct)
    {
        var locked = await ReadAllAsync(
            session,
            $"""
            SELECT id, listing_key FROM staged_nars WHERE id IN (SELECT CAST(t.h AS BIGINT) FROM {_dialect.TextSetSource(1, "t")})
            ORDER BY id{_dialect.ForUpdateOf("staged_nars")};
            """,
            reader => (Id: reader.GetInt64(0), Listing: ReadNullableString(reader, 1)),
            ct,
            IdSet(stagedIds)).ConfigureAwait(false);
        if (locked.Count == 0)
        {
            return;
        }
        await DeleteListingOwnersAsync(session, "staged_nars", "staged_chunks", "staged_id", locked, now, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes locked rows of <paramref name="table"/> (NARs or staged uploads) after releasing the chunks they hold
    /// through <paramref name="chunkTable"/> (in one statement, see <see cref="ReleaseChunksAsync"/>; null when their
    /// holders passed to another owner), then queues their listings that no row names any more (keys from before unique
    /// keys may be shared by several rows).
    /// </summary>
    private async Task DeleteListingOwnersAsync(
        DbSession session, string table, string? chunkTable, string ownerColumn, IReadOnlyList<(long Id, string? Listing)> rows, DateTimeOffset now, CancellationToken ct)
    {
        var ids = rows.Select(row => row.Id).ToList();
        if (chunkTable is not null)
        {
            await ReleaseChunksAsync(session, chunkTable, ownerColumn, ids, now, ct).ConfigureAwait(false);
        }
        await session.DeferAsync($"DELETE FROM {table} WHERE id IN (SELECT CAST(t.h AS BIGINT) FROM {_dialect.TextSetSource(1, "t")});", ct, IdSet(ids))
            .ConfigureAwait(false);
        foreach (var listing in rows.Select(row => row.Listing).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            await EnqueueUnusedListingAsync(session, listing, now, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Queues a listing unless a NAR or staged upload names it: keys from before unique keys were per NarHash and
    /// shared. Called once the rows that named it are gone.
    /// </summary>
    private static Task EnqueueUnusedListingAsync(DbSession session, string listing, DateTimeOffset now, CancellationToken ct) =>
        session.DeferAsync(
            """
            INSERT INTO blob_deletions (storage_key, due_at)
            SELECT $1, $2
            WHERE NOT EXISTS (SELECT 1 FROM nars WHERE listing_key = $1) AND NOT EXISTS (SELECT 1 FROM staged_nars WHERE listing_key = $1)
            ON CONFLICT (storage_key) DO NOTHING;
            """,
            ct,
            listing,
            now);

    private async Task<(StagedNarRecord Staged, bool More)> ReadStagedAsync(DbDataReader reader, CancellationToken ct)
    {
        var chunks = new List<ChunkRecord>(1);
        var staged = new StagedNarRecord(
            reader.GetInt64(0),
            reader.GetInt64(1),
            reader.GetString(2),
            reader.GetString(3),
            reader.GetInt64(4),
            reader.GetString(5),
            reader.GetInt64(6),
            reader.GetString(7),
            reader.GetInt64(8),
            chunks,
            ReadNullableString(reader, 9),
            _dialect.ReadTime(reader, 10));
        var more = await ReadChunksAsync(reader, 0, 11, chunks, ct).ConfigureAwait(false);
        return (staged, more);
    }
}
