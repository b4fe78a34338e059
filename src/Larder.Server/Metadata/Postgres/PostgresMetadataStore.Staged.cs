using Npgsql;

namespace Larder.Server.Metadata.Postgres;

public sealed partial class PostgresMetadataStore
{
    private const string StagedColumns =
        "s.id, s.cache_id, s.upload_url, s.upload_file_hash, s.upload_file_size, s.nar_hash, s.nar_size, s.file_hash, s.file_size, s.listing_key, s.created_at";

    /// <inheritdoc />
    public Task<StagedNarRecord> AddStagedNarAsync(StagedNarRecord staged, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(staged);
        return RunAsync(async (connection, ct) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            var id = (long)(await Scalar(
                connection,
                transaction,
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
            await InsertChunksAsync(connection, transaction, "staged_chunks", "staged_id", id, staged.Chunks, ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return staged with { Id = id };
        }, cancellationToken, idempotent: false);
    }

    /// <inheritdoc />
    public Task<StagedNarRecord?> GetStagedNarAsync(long cacheId, string uploadUrl, CancellationToken cancellationToken) => RunAsync(async (connection, ct) =>
    {
        await using var command = Command(
            connection,
            null,
            $"""
            SELECT {StagedColumns}, {ChunkColumns}
            FROM (SELECT * FROM staged_nars WHERE cache_id = $1 AND upload_url = $2 ORDER BY id DESC LIMIT 1) s
            LEFT JOIN staged_chunks c ON c.staged_id = s.id
            ORDER BY c.seq;
            """,
            cacheId,
            uploadUrl);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            return null;
        }
        var (staged, _) = await ReadStagedAsync(reader, ct).ConfigureAwait(false);
        return staged;
    }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StagedNarRecord>> ListStagedNarsOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        RunAsync(async (connection, ct) =>
        {
            await using var command = Command(
                connection,
                null,
                $"""
                SELECT {StagedColumns}, {ChunkColumns}
                FROM staged_nars s LEFT JOIN staged_chunks c ON c.staged_id = s.id
                WHERE s.created_at < $1
                ORDER BY s.id, c.seq;
                """,
                cutoff);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
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
    public Task DeleteStagedNarAsync(long stagedId, CancellationToken cancellationToken) => RunAsync(
        (connection, ct) => Execute(connection, null, "DELETE FROM staged_nars WHERE id = $1;", ct, stagedId),
        cancellationToken);

    private static async Task<(StagedNarRecord Staged, bool More)> ReadStagedAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        var id = reader.GetInt64(0);
        var chunks = new List<ChunkRecord>(1);
        var staged = new StagedNarRecord(
            id,
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
            ReadTime(reader, 10));
        do
        {
            if (reader.GetInt64(0) != id)
            {
                return (staged, true);
            }
            if (!reader.IsDBNull(11))
            {
                chunks.Add(new ChunkRecord(
                    reader.GetString(11), reader.GetString(12), reader.GetInt64(13),
                    reader.GetString(14), reader.GetInt64(15), reader.GetString(16)));
            }
        }
        while (await reader.ReadAsync(ct).ConfigureAwait(false));
        return (staged, false);
    }
}
