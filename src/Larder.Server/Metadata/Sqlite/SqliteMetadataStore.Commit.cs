using Microsoft.Data.Sqlite;

namespace Larder.Server.Metadata.Sqlite;

public sealed partial class SqliteMetadataStore
{
    /// <inheritdoc />
    /// <remarks>
    /// One <c>BEGIN IMMEDIATE</c> transaction: it takes SQLite's write lock before reading, so the presence check, the
    /// closure check and the inserts see no concurrent change. An identical commit racing this one waits, then finds
    /// the path and answers <see cref="CommitOutcome.AlreadyPresent"/>.
    /// </remarks>
    public Task<CommitResult> CommitPathAsync(CommitRequest request, CancellationToken cancellationToken) => Run(cancellationToken, session =>
    {
        ArgumentNullException.ThrowIfNull(request);
        using var transaction = session.Connection.BeginTransaction(deferred: false);
        var result = Commit(session, transaction, request);
        transaction.Commit();
        return result;
    });

    private static CommitResult Commit(SqliteSession session, SqliteTransaction transaction, CommitRequest request)
    {
        using (var existing = session.Command(
            transaction,
            "SELECT n.nar_hash, p.signatures FROM paths p JOIN nars n ON n.id = p.nar_id WHERE p.cache_id = $p0 AND p.hash_part = $p1;",
            request.CacheId,
            request.HashPart).ExecuteReader())
        {
            if (existing.Read())
            {
                if (!string.Equals(existing.GetString(0), request.Nar.NarHash, StringComparison.Ordinal))
                {
                    return new CommitResult(CommitOutcome.Conflict, []);
                }
                var merged = SplitList(existing.GetString(1)).Union(request.Signatures, StringComparer.Ordinal).ToList();
                existing.Close();
                session.Command(
                    transaction,
                    "UPDATE paths SET signatures = $p2 WHERE cache_id = $p0 AND hash_part = $p1;",
                    request.CacheId,
                    request.HashPart,
                    JoinList(merged)).ExecuteNonQuery();
                DeleteStaged(session, transaction, request.StagedNarId);
                return new CommitResult(CommitOutcome.AlreadyPresent, []);
            }
        }

        var missing = new List<string>();
        foreach (var (reference, hashPart) in request.ReferencesToCheck())
        {
            if (!PathExists(session, transaction, request.CacheId, hashPart))
            {
                missing.Add(reference);
            }
        }
        if (missing.Count > 0)
        {
            return new CommitResult(CommitOutcome.MissingReferences, missing);
        }

        var narId = FindOrInsertNar(session, transaction, request.Nar);
        var at = ToDb(request.At);
        session.Command(
            transaction,
            """
            INSERT INTO paths (cache_id, hash_part, store_path, nar_id, refs, deriver, signatures, ca, created_at, last_accessed_at)
            VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p8);
            """,
            request.CacheId,
            request.HashPart,
            request.StorePath,
            narId,
            JoinList(request.References),
            request.Deriver,
            JoinList(request.Signatures.Distinct(StringComparer.Ordinal)),
            request.Ca,
            at).ExecuteNonQuery();
        session.Command(
            transaction,
            "INSERT INTO events (cache_id, kind, store_path, token_id, at) VALUES ($p0, 'push', $p1, $p2, $p3);",
            request.CacheId,
            request.StorePath,
            request.TokenId,
            at).ExecuteNonQuery();
        DeleteStaged(session, transaction, request.StagedNarId);
        return CommitResult.Committed;
    }

    private static long FindOrInsertNar(SqliteSession session, SqliteTransaction transaction, NarRecord nar)
    {
        if (session.Command(transaction, "SELECT id FROM nars WHERE nar_hash = $p0;", nar.NarHash).ExecuteScalar() is long existing)
        {
            return existing;
        }
        var id = (long)session.Command(
            transaction,
            """
            INSERT INTO nars (nar_hash, nar_size, compression, file_hash, file_size, listing_key, created_at)
            VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6) RETURNING id;
            """,
            nar.NarHash,
            nar.NarSize,
            nar.Compression,
            nar.FileHash,
            nar.FileSize,
            nar.ListingKey,
            ToDb(nar.CreatedAt)).ExecuteScalar()!;
        InsertChunks(session, transaction, "nar_chunks", "nar_id", id, nar.Chunks);
        return id;
    }

    private static void InsertChunks(
        SqliteSession session, SqliteTransaction transaction, string table, string ownerColumn, long ownerId, IReadOnlyList<ChunkRecord> chunks)
    {
        for (var seq = 0; seq < chunks.Count; seq++)
        {
            var chunk = chunks[seq];
            session.Command(
                transaction,
                $"""
                INSERT INTO {table} ({ownerColumn}, seq, hash, storage_key, size, stored_hash, stored_size, compression)
                VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7);
                """,
                ownerId,
                seq,
                chunk.Hash,
                chunk.StorageKey,
                chunk.Size,
                chunk.StoredHash,
                chunk.StoredSize,
                chunk.Compression).ExecuteNonQuery();
        }
    }

    private static void DeleteStaged(SqliteSession session, SqliteTransaction transaction, long? stagedId)
    {
        if (stagedId is { } id)
        {
            session.Command(transaction, "DELETE FROM staged_nars WHERE id = $p0;", id).ExecuteNonQuery();
        }
    }
}
