namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    /// <inheritdoc />
    /// <remarks>
    /// One write transaction: the path's row (if any) is locked for update, the references' rows for share (so nothing
    /// deletes them before this commits), the NAR goes in with <c>ON CONFLICT (nar_hash) DO NOTHING</c> (one row per
    /// NarHash across caches) and the path with <c>ON CONFLICT DO NOTHING</c>. When an identical commit from another
    /// replica wins the race, this one waits for it, then finds the path and answers
    /// <see cref="CommitOutcome.AlreadyPresent"/>. Safe to rerun.
    /// </remarks>
    public Task<CommitResult> CommitPathAsync(CommitRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunWriteAsync(
            async (session, ct) =>
            {
                // Concurrent pushes of one path (overlapping closures) would otherwise lock its staged upload, NAR and
                // row in different orders: the one that inserts the row, those that merge into it, and the one that
                // lost the insert and merges after all.
                if (_dialect.PathCommitLockSql is { } pathLock)
                {
                    await session.DeferSelectAsync(pathLock, ct, unchecked((int)request.CacheId), request.HashPart).ConfigureAwait(false);
                }
                return await TryCommitAtOnceAsync(session, request, ct).ConfigureAwait(false)
                    ?? await CommitAsync(session, request, ct).ConfigureAwait(false);
            },
            result => result.Outcome is CommitOutcome.Committed or CommitOutcome.AlreadyPresent,
            cancellationToken);
    }

    private async Task<CommitResult> CommitAsync(DbSession session, CommitRequest request, CancellationToken ct)
    {
        if (await MergeIntoExistingAsync(session, request, ct).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        var missing = await FindMissingReferencesAsync(session, request, ct).ConfigureAwait(false);
        if (missing.Count > 0)
        {
            return new CommitResult(CommitOutcome.MissingReferences, missing);
        }

        // The staged upload before the NAR and its chunks (the order in which the staged upload's expiry takes them),
        // both in one round trip where the dialect batches.
        var owns = OwnsStagedListingStatement(request) is { } ownsStatement ? [ownsStatement] : Array.Empty<(string, object?[])>();
        var first = await session.ScalarsAsync(ct, [.. owns, InsertNarStatement(request.Nar)]).ConfigureAwait(false);
        var staged = owns.Length > 0 ? StagedListing(first[0]) : null;
        var ownsListing = staged is { } known && known.Listing == request.Nar.ListingKey;
        var narId = await AcquireNarAsync(session, request, ownsListing, first[^1] as long?, ct).ConfigureAwait(false);
        await ReleaseLockedStagedAsync(session, request, staged, ct).ConfigureAwait(false);
        var (insertPath, args) = InsertPathStatement(request, narId, onConflictDoNothing: true);
        if (await session.ExecuteAsync(insertPath, ct, args).ConfigureAwait(false) == 0)
        {
            // A concurrent commit of the same path got there first (and has committed: ON CONFLICT waited for it).
            await ReleaseNarAsync(session, narId, 1, request.At, ct).ConfigureAwait(false);
            return await MergeIntoExistingAsync(session, request, ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"path {request.StorePath} conflicted on insert but cannot be read back");
        }
        await RecordCommittedPathAsync(session, request, ct).ConfigureAwait(false);
        return CommitResult.Committed;
    }

    /// <summary>
    /// Releases the commit's staged upload, whose row <see cref="OwnsStagedListingStatement"/> locked and whose listing
    /// it read (<paramref name="staged"/>; null when the upload is gone): with no read of its own. Before the path row
    /// goes in: its insert takes the cache's statistics row (a trigger), which is then held to the end, so no chunk row
    /// may be locked after it. Without <paramref name="releaseChunks"/> the upload's chunk holders are not released: the
    /// NAR took them over.
    /// </summary>
    private Task ReleaseLockedStagedAsync(DbSession session, CommitRequest request, LockedStaged? staged, CancellationToken ct, bool releaseChunks = true) =>
        staged is { } row
            ? DeleteListingOwnersAsync(
                session, "staged_nars", releaseChunks ? "staged_chunks" : null, "staged_id", [(request.StagedNarId!.Value, row.Listing)], request.At, ct)
            : Task.CompletedTask;

    /// <summary>The path's row, pointing at NAR <paramref name="narId"/>.</summary>
    private static (string Sql, object?[] Args) InsertPathStatement(CommitRequest request, long narId, bool onConflictDoNothing) =>
        ($"""
         INSERT INTO paths (cache_id, hash_part, store_path, nar_id, refs, upstream_refs, deriver, signatures, ca, created_at, last_accessed_at, origin, nar_size)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12){(onConflictDoNothing ? " ON CONFLICT (cache_id, hash_part) DO NOTHING" : "")};
         """,
        [
            request.CacheId,
            request.HashPart,
            request.StorePath,
            narId,
            request.References,
            request.UpstreamReferences ?? [],
            request.Deriver,
            request.Signatures.Distinct(StringComparer.Ordinal),
            request.Ca,
            request.At,
            request.Origin,
            request.Nar.NarSize,
        ]);

    /// <summary>What goes with a newly inserted path's row: its references, its serving notice and its push event.</summary>
    private async Task RecordCommittedPathAsync(DbSession session, CommitRequest request, CancellationToken ct)
    {
        var referenced = request.References
            .Select(reference => reference.Length >= 32 ? reference[..32] : reference)
            .Where(hashPart => hashPart != request.HashPart)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (referenced.Count > 0)
        {
            await session.DeferAsync(
                $"INSERT INTO path_refs (cache_id, ref_hash_part, hash_part) SELECT $1, t.h, $3 FROM {_dialect.TextSetSource(2, "t")};",
                ct,
                request.CacheId,
                new TextSet(referenced),
                request.HashPart).ConfigureAwait(false);
        }
        await PublishWithCommitAsync(session, request, ct).ConfigureAwait(false);
        await session.DeferAsync(
            "INSERT INTO events (cache_id, kind, store_path, token_id, at, reason) VALUES ($1, 'push', $2, $3, $4, $5);",
            ct,
            request.CacheId,
            request.StorePath,
            request.TokenId,
            request.At,
            request.Origin is null ? null : $"stored from upstream {request.Origin}").ConfigureAwait(false);
    }

    /// <summary>
    /// When the cache already has the path: <see cref="CommitOutcome.Conflict"/> for another NarHash, else merges the
    /// signatures and answers <see cref="CommitOutcome.AlreadyPresent"/>. Null when the path is absent.
    /// </summary>
    private async Task<CommitResult?> MergeIntoExistingAsync(DbSession session, CommitRequest request, CancellationToken ct)
    {
        string narHash;
        IReadOnlyList<string> signatures;
        await using (var reader = await session.ReaderAsync(
            $"""
            SELECT n.nar_hash, p.signatures FROM paths p JOIN nars n ON n.id = p.nar_id
            WHERE p.cache_id = $1 AND p.hash_part = $2{_dialect.ForUpdateOf("p")};
            """,
            ct,
            request.CacheId,
            request.HashPart).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                return null;
            }
            narHash = reader.GetString(0);
            signatures = _dialect.ReadList(reader, 1);
        }
        if (!string.Equals(narHash, request.Nar.NarHash, StringComparison.Ordinal))
        {
            return new CommitResult(CommitOutcome.Conflict, []);
        }
        var merged = signatures.Union(request.Signatures, StringComparer.Ordinal).ToArray();
        if (merged.Length != signatures.Count)
        {
            await session.DeferAsync(
                "UPDATE paths SET signatures = $3 WHERE cache_id = $1 AND hash_part = $2;", ct, request.CacheId, request.HashPart, merged)
                .ConfigureAwait(false);
        }
        await ConsumeStagedAsync(session, request, ct).ConfigureAwait(false);
        await PublishWithCommitAsync(session, request, ct).ConfigureAwait(false);
        return new CommitResult(CommitOutcome.AlreadyPresent, []);
    }

    /// <summary>
    /// The request's serving notice, in the transaction where the dialect can (PostgreSQL: sent at commit, with no
    /// round trip of its own), so other replicas hear of the path exactly when it commits.
    /// </summary>
    private async Task PublishWithCommitAsync(DbSession session, CommitRequest request, CancellationToken ct)
    {
        if (request.ServingNotice is { } notice && _dialect.PublishServingChangeSql is { } publish)
        {
            await session.DeferSelectAsync(publish, ct, notice).ConfigureAwait(false);
        }
    }

    /// <summary>The references (base names) the cache lacks; those it has are locked against deletion until commit.</summary>
    private async Task<IReadOnlyList<string>> FindMissingReferencesAsync(DbSession session, CommitRequest request, CancellationToken ct)
    {
        var wanted = request.ReferencesToCheck().ToList();
        if (wanted.Count == 0)
        {
            return [];
        }
        var present = new HashSet<string>(StringComparer.Ordinal);
        await using (var reader = await session.ReaderAsync(
            $"""
            SELECT hash_part FROM paths
            WHERE cache_id = $1 AND hash_part IN (SELECT t.h FROM {_dialect.TextSetSource(2, "t")})
            ORDER BY hash_part{_dialect.ForShare};
            """,
            ct,
            request.CacheId,
            new TextSet([.. wanted.Select(r => r.HashPart)])).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                present.Add(reader.GetString(0));
            }
        }
        return [.. wanted.Where(r => !present.Contains(r.HashPart)).Select(r => r.Reference)];
    }

    /// <summary>
    /// The id of the NAR with the request's NarHash, holding it for one more path: the NAR goes in with its chunks, or,
    /// when a row exists (live or released, not yet reaped), that row gains a holder under its row lock, so a
    /// concurrent reaper either deleted it first (and the insert is tried again) or sees the holder. Inserting first
    /// saves a pushed path's commit one statement: its NAR is usually new.
    /// </summary>
    /// <param name="inserted">The answer of <see cref="InsertNarStatement"/>, run by the caller.</param>
    private async Task<long> AcquireNarAsync(DbSession session, CommitRequest request, bool ownsListing, long? inserted, CancellationToken ct)
    {
        var nar = request.Nar;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (attempt > 0)
            {
                var (sql, args) = InsertNarStatement(nar);
                inserted = await session.ScalarAsync(sql, ct, args).ConfigureAwait(false) as long?;
            }
            if (inserted is long id)
            {
                await AttachChunksAsync(session, "nar_chunks", "nar_id", id, nar.Chunks, request.At, ct).ConfigureAwait(false);
                await ClaimListingUnlessOwnedAsync(session, request, id, ownsListing, ct).ConfigureAwait(false);
                return id;
            }
            // Stored already, or by a concurrent commit (which has committed: ON CONFLICT waited for it).
            if (await session.ScalarAsync(
                "UPDATE nars SET holders = holders + 1, released_at = NULL WHERE nar_hash = $1 RETURNING id;", ct, nar.NarHash).ConfigureAwait(false) is long existing)
            {
                return existing;
            }
        }
        throw new InvalidOperationException($"NAR {nar.NarHash} conflicted on insert but cannot be read back");
    }

    /// <summary>
    /// A new NAR row names the request's listing: claims its intent unless the staged upload owned it; a listing whose
    /// intent is gone (its blob may be deleted) is dropped from the row.
    /// </summary>
    private static async Task ClaimListingUnlessOwnedAsync(DbSession session, CommitRequest request, long narId, bool ownsListing, CancellationToken ct)
    {
        if (request.Nar.ListingKey is { } listing && !ownsListing && !await ClaimBlobAsync(session, listing, request.At, ct).ConfigureAwait(false))
        {
            await session.DeferAsync("UPDATE nars SET listing_key = NULL WHERE id = $1;", ct, narId).ConfigureAwait(false);
        }
    }

    /// <summary>The NAR's row with one holder: answers its id, or null when a row with its NarHash exists.</summary>
    private static (string Sql, object?[] Args) InsertNarStatement(NarRecord nar) =>
        ("""
         INSERT INTO nars (nar_hash, nar_size, compression, file_hash, file_size, listing_key, created_at, holders)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1)
         ON CONFLICT (nar_hash) DO NOTHING RETURNING id;
         """,
        [nar.NarHash, nar.NarSize, nar.Compression, nar.FileHash, nar.FileSize, nar.ListingKey, nar.CreatedAt]);

    /// <summary>
    /// Locks the commit's staged upload before the NAR and its chunks, whether or not it has a listing (a concurrent
    /// expiry takes the upload, then its chunks: locked later, after the chunks, the two could deadlock), and answers its
    /// listing key, or an empty text when it has none (read with <see cref="StagedListing"/>): when it is the NAR's
    /// listing, a new NAR may point at it (else its intent must be claimed). No row when the upload is gone. The expiry
    /// waits and then finds the upload consumed. Null without a staged upload.
    /// </summary>
    private (string Sql, object?[] Args)? OwnsStagedListingStatement(CommitRequest request) =>
        request.StagedNarId is not { } id ? null
        : ($"SELECT COALESCE(listing_key, '') FROM staged_nars WHERE id = $1{_dialect.ForUpdateOf("staged_nars")};", [id]);

    /// <summary>The staged upload's listing read by <see cref="OwnsStagedListingStatement"/>; null when the upload is gone.</summary>
    private static LockedStaged? StagedListing(object? answer) =>
        answer is string listing ? new LockedStaged(listing.Length == 0 ? null : listing) : null;

    /// <summary>A staged upload whose row the commit locked, with its listing (null when it has none).</summary>
    private readonly record struct LockedStaged(string? Listing);

    private async Task ConsumeStagedAsync(DbSession session, CommitRequest request, CancellationToken ct)
    {
        if (request.StagedNarId is { } id)
        {
            await ReleaseStagedAsync(session, [id], request.At, ct).ConfigureAwait(false);
        }
    }
}
