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
            var id = (long)(await session.ScalarAsync(
                """
                INSERT INTO staged_nars (cache_id, upload_url, upload_file_hash, upload_file_size, nar_hash, nar_size, file_hash, file_size, listing_key, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id;
                """,
                ct,
                staged.CacheId,
                staged.UploadUrl,
                staged.UploadFileHash,
                staged.UploadFileSize,
                staged.NarHash,
                staged.NarSize,
                staged.FileHash,
                staged.FileSize,
                staged.ListingKey,
                staged.CreatedAt).ConfigureAwait(false))!;
            await InsertChunksAsync(session, "staged_chunks", "staged_id", id, staged.Chunks, ct).ConfigureAwait(false);
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
            LEFT JOIN staged_chunks c ON c.staged_id = s.id
            ORDER BY c.seq;
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
    public Task<IReadOnlyList<StagedNarRecord>> ListStagedNarsOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        RunAsync(async (session, ct) =>
        {
            await using var reader = await session.ReaderAsync(
                $"""
                SELECT {StagedColumns}, {ChunkColumns}
                FROM staged_nars s LEFT JOIN staged_chunks c ON c.staged_id = s.id
                WHERE s.created_at < $1
                ORDER BY s.id, c.seq;
                """,
                ct,
                cutoff).ConfigureAwait(false);
            var result = new List<StagedNarRecord>();
            var more = await reader.ReadAsync(ct).ConfigureAwait(false);
            while (more)
            {
                (var staged, more) = await ReadStagedAsync(reader, ct).ConfigureAwait(false);
                result.Add(staged);
            }
            return (IReadOnlyList<StagedNarRecord>)result;
        }, cancellationToken);

    /// <inheritdoc />
    public Task DeleteStagedNarAsync(long stagedId, CancellationToken cancellationToken) => RunWriteAsync(
        (session, ct) => session.ExecuteAsync("DELETE FROM staged_nars WHERE id = $1;", ct, stagedId),
        cancellationToken);

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
