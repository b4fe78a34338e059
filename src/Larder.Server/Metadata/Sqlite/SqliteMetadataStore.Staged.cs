using Microsoft.Data.Sqlite;

namespace Larder.Server.Metadata.Sqlite;

public sealed partial class SqliteMetadataStore
{
    private const string StagedColumns =
        "s.id, s.cache_id, s.upload_url, s.upload_file_hash, s.upload_file_size, s.nar_hash, s.nar_size, s.file_hash, s.file_size, s.listing_key, s.created_at";

    /// <inheritdoc />
    public Task<StagedNarRecord> AddStagedNarAsync(StagedNarRecord staged, CancellationToken cancellationToken) => Run(cancellationToken, session =>
    {
        ArgumentNullException.ThrowIfNull(staged);
        using var transaction = session.Connection.BeginTransaction(deferred: false);
        var id = (long)session.Command(
            transaction,
            """
            INSERT INTO staged_nars (cache_id, upload_url, upload_file_hash, upload_file_size, nar_hash, nar_size, file_hash, file_size, listing_key, created_at)
            VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p9) RETURNING id;
            """,
            staged.CacheId,
            staged.UploadUrl,
            staged.UploadFileHash,
            staged.UploadFileSize,
            staged.NarHash,
            staged.NarSize,
            staged.FileHash,
            staged.FileSize,
            staged.ListingKey,
            ToDb(staged.CreatedAt)).ExecuteScalar()!;
        InsertChunks(session, transaction, "staged_chunks", "staged_id", id, staged.Chunks);
        transaction.Commit();
        return staged with { Id = id };
    });

    /// <inheritdoc />
    public Task<StagedNarRecord?> GetStagedNarAsync(long cacheId, string uploadUrl, CancellationToken cancellationToken) => Run(cancellationToken, session =>
    {
        using var reader = session.Command(
            $"""
            SELECT {StagedColumns}, {ChunkColumns}
            FROM (SELECT * FROM staged_nars WHERE cache_id = $p0 AND upload_url = $p1 ORDER BY id DESC LIMIT 1) s
            LEFT JOIN staged_chunks c ON c.staged_id = s.id
            ORDER BY c.seq;
            """,
            cacheId,
            uploadUrl).ExecuteReader();
        return reader.Read() ? ReadStaged(reader, out _) : null;
    });

    /// <inheritdoc />
    public Task<IReadOnlyList<StagedNarRecord>> ListStagedNarsOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        Run(cancellationToken, session =>
        {
            using var reader = session.Command(
                $"""
                SELECT {StagedColumns}, {ChunkColumns}
                FROM staged_nars s LEFT JOIN staged_chunks c ON c.staged_id = s.id
                WHERE s.created_at < $p0
                ORDER BY s.id, c.seq;
                """,
                ToDb(cutoff)).ExecuteReader();
            var result = new List<StagedNarRecord>();
            var more = reader.Read();
            while (more)
            {
                result.Add(ReadStaged(reader, out more));
            }
            return (IReadOnlyList<StagedNarRecord>)result;
        });

    /// <inheritdoc />
    public Task DeleteStagedNarAsync(long stagedId, CancellationToken cancellationToken) => Run(cancellationToken, session =>
        session.Command("DELETE FROM staged_nars WHERE id = $p0;", stagedId).ExecuteNonQuery());

    private static StagedNarRecord ReadStaged(SqliteDataReader reader, out bool more)
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
            reader.IsDBNull(9) ? null : reader.GetString(9),
            FromDb(reader.GetInt64(10)));
        do
        {
            if (reader.GetInt64(0) != id)
            {
                more = true;
                return staged;
            }
            if (!reader.IsDBNull(11))
            {
                chunks.Add(new ChunkRecord(
                    reader.GetString(11), reader.GetString(12), reader.GetInt64(13),
                    reader.GetString(14), reader.GetInt64(15), reader.GetString(16)));
            }
        }
        while (reader.Read());
        more = false;
        return staged;
    }
}
