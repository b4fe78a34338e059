using Npgsql;

namespace Larder.Server.Metadata.Postgres;

public sealed partial class PostgresMetadataStore
{
    /// <inheritdoc />
    /// <remarks>
    /// One READ COMMITTED transaction: the path's row (if any) is locked <c>FOR UPDATE</c>, the references' rows
    /// <c>FOR SHARE</c> (so nothing deletes them before this commits), the NAR goes in with
    /// <c>ON CONFLICT (nar_hash) DO NOTHING</c> (one row per NarHash across caches) and the path with
    /// <c>ON CONFLICT DO NOTHING</c>. When an identical commit from another replica wins the race, this one waits
    /// for it, then finds the path and answers <see cref="CommitOutcome.AlreadyPresent"/>. Safe to rerun.
    /// </remarks>
    public Task<CommitResult> CommitPathAsync(CommitRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunAsync(async (connection, ct) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            var result = await CommitAsync(connection, transaction, request, ct).ConfigureAwait(false);
            if (result.Outcome is CommitOutcome.Committed or CommitOutcome.AlreadyPresent)
            {
                await transaction.CommitAsync(ct).ConfigureAwait(false);
            }
            return result;
        }, cancellationToken);
    }

    private static async Task<CommitResult> CommitAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CommitRequest request, CancellationToken ct)
    {
        if (await MergeIntoExistingAsync(connection, transaction, request, ct).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        var missing = await FindMissingReferencesAsync(connection, transaction, request, ct).ConfigureAwait(false);
        if (missing.Count > 0)
        {
            return new CommitResult(CommitOutcome.MissingReferences, missing);
        }

        var narId = await FindOrInsertNarAsync(connection, transaction, request.Nar, ct).ConfigureAwait(false);
        var inserted = await Execute(
            connection,
            transaction,
            """
            INSERT INTO paths (cache_id, hash_part, store_path, nar_id, refs, deriver, signatures, ca, created_at, last_accessed_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
            ON CONFLICT (cache_id, hash_part) DO NOTHING;
            """,
            ct,
            request.CacheId,
            request.HashPart,
            request.StorePath,
            narId,
            request.References,
            request.Deriver,
            request.Signatures.Distinct(StringComparer.Ordinal),
            request.Ca,
            request.At).ConfigureAwait(false);
        if (inserted == 0)
        {
            // A concurrent commit of the same path got there first (and has committed: ON CONFLICT waited for it).
            return await MergeIntoExistingAsync(connection, transaction, request, ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"path {request.StorePath} conflicted on insert but cannot be read back");
        }
        await Execute(
            connection,
            transaction,
            "INSERT INTO events (cache_id, kind, store_path, token_id, at) VALUES ($1, 'push', $2, $3, $4);",
            ct,
            request.CacheId,
            request.StorePath,
            request.TokenId,
            request.At).ConfigureAwait(false);
        await DeleteStagedAsync(connection, transaction, request.StagedNarId, ct).ConfigureAwait(false);
        return CommitResult.Committed;
    }

    /// <summary>
    /// When the cache already has the path: <see cref="CommitOutcome.Conflict"/> for another NarHash, else merges the
    /// signatures and answers <see cref="CommitOutcome.AlreadyPresent"/>. Null when the path is absent.
    /// </summary>
    private static async Task<CommitResult?> MergeIntoExistingAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, CommitRequest request, CancellationToken ct)
    {
        string narHash;
        string[] signatures;
        await using (var command = Command(
            connection,
            transaction,
            """
            SELECT n.nar_hash, p.signatures FROM paths p JOIN nars n ON n.id = p.nar_id
            WHERE p.cache_id = $1 AND p.hash_part = $2
            FOR UPDATE OF p;
            """,
            request.CacheId,
            request.HashPart))
        {
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (!await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                return null;
            }
            narHash = reader.GetString(0);
            signatures = reader.GetFieldValue<string[]>(1);
        }
        if (!string.Equals(narHash, request.Nar.NarHash, StringComparison.Ordinal))
        {
            return new CommitResult(CommitOutcome.Conflict, []);
        }
        var merged = signatures.Union(request.Signatures, StringComparer.Ordinal).ToArray();
        if (merged.Length != signatures.Length)
        {
            await Execute(
                connection,
                transaction,
                "UPDATE paths SET signatures = $3 WHERE cache_id = $1 AND hash_part = $2;",
                ct,
                request.CacheId,
                request.HashPart,
                merged).ConfigureAwait(false);
        }
        await DeleteStagedAsync(connection, transaction, request.StagedNarId, ct).ConfigureAwait(false);
        return new CommitResult(CommitOutcome.AlreadyPresent, []);
    }

    /// <summary>The references (base names) the cache lacks; those it has are locked against deletion until commit.</summary>
    private static async Task<IReadOnlyList<string>> FindMissingReferencesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, CommitRequest request, CancellationToken ct)
    {
        var wanted = request.ReferencesToCheck().ToList();
        if (wanted.Count == 0)
        {
            return [];
        }
        var present = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = Command(
            connection,
            transaction,
            "SELECT hash_part FROM paths WHERE cache_id = $1 AND hash_part = ANY($2::text[]) ORDER BY hash_part FOR SHARE;",
            request.CacheId,
            wanted.Select(r => r.HashPart).ToArray()))
        {
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                present.Add(reader.GetString(0));
            }
        }
        return [.. wanted.Where(r => !present.Contains(r.HashPart)).Select(r => r.Reference)];
    }

    private static async Task<long> FindOrInsertNarAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, NarRecord nar, CancellationToken ct)
    {
        var inserted = await Scalar(
            connection,
            transaction,
            """
            INSERT INTO nars (nar_hash, nar_size, compression, file_hash, file_size, listing_key, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (nar_hash) DO NOTHING RETURNING id;
            """,
            ct,
            nar.NarHash,
            nar.NarSize,
            nar.Compression,
            nar.FileHash,
            nar.FileSize,
            nar.ListingKey,
            nar.CreatedAt).ConfigureAwait(false);
        if (inserted is long id)
        {
            await InsertChunksAsync(connection, transaction, "nar_chunks", "nar_id", id, nar.Chunks, ct).ConfigureAwait(false);
            return id;
        }
        // Stored before (or by a concurrent commit that has now committed): reuse it. FOR SHARE keeps it from being
        // garbage-collected before this transaction commits.
        return (long)(await Scalar(connection, transaction, "SELECT id FROM nars WHERE nar_hash = $1 FOR SHARE;", ct, nar.NarHash).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"NAR {nar.NarHash} conflicted on insert but cannot be read back"));
    }

    private static async Task InsertChunksAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string table, string ownerColumn, long ownerId,
        IReadOnlyList<ChunkRecord> chunks, CancellationToken ct)
    {
        if (chunks.Count == 0)
        {
            return;
        }
        await Execute(
            connection,
            transaction,
            $"""
            INSERT INTO {table} ({ownerColumn}, seq, hash, storage_key, size, stored_hash, stored_size, compression)
            SELECT $1, t.ord - 1, t.hash, t.storage_key, t.size, t.stored_hash, t.stored_size, t.compression
            FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::bigint[], $7::text[])
                 WITH ORDINALITY AS t(hash, storage_key, size, stored_hash, stored_size, compression, ord);
            """,
            ct,
            ownerId,
            chunks.Select(c => c.Hash).ToArray(),
            chunks.Select(c => c.StorageKey).ToArray(),
            chunks.Select(c => c.Size).ToArray(),
            chunks.Select(c => c.StoredHash).ToArray(),
            chunks.Select(c => c.StoredSize).ToArray(),
            chunks.Select(c => c.Compression).ToArray()).ConfigureAwait(false);
    }

    private static async Task DeleteStagedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long? stagedId, CancellationToken ct)
    {
        if (stagedId is { } id)
        {
            await Execute(connection, transaction, "DELETE FROM staged_nars WHERE id = $1;", ct, id).ConfigureAwait(false);
        }
    }
}
