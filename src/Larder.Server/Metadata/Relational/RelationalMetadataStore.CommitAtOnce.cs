namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    /// <summary>
    /// The usual push where statements go out together and commits of one path wait for each other (PostgreSQL): a path
    /// the cache lacks, whose references it holds, with a new NAR whose chunks have rows (and its staged upload, if any,
    /// still there). Its checks
    /// and first writes go out as one batch after a savepoint, the rest with the commit: two round trips. When any of
    /// that does not hold, the batch is undone to the savepoint and null answered: the caller commits step by step
    /// (<see cref="CommitAsync"/>), which handles every case.
    /// </summary>
    /// <remarks>
    /// The checks take the locks the step-by-step commit takes, in its order (the references' rows, the staged upload's,
    /// the NAR's, the chunks' in hash order). The path's row goes in without <c>ON CONFLICT</c>: the path's commit lock
    /// (<see cref="SqlDialect.PathCommitLockSql"/>), held since before the check that it is absent, keeps every other
    /// commit of it waiting, and only commits insert paths. A NAR published from its staged upload (Nix's two-step
    /// upload) takes the upload's chunk list over (<see cref="TakeOverStagedChunksSql"/>).
    /// </remarks>
    private async Task<CommitResult?> TryCommitAtOnceAsync(DbSession session, CommitRequest request, CancellationToken ct)
    {
        if (!session.BatchesStatements || _dialect.PathCommitLockSql is null)
        {
            return null;
        }
        var references = request.ReferencesToCheck().Select(r => r.HashPart).Distinct(StringComparer.Ordinal).ToList();
        var countReferences = references.Count == 0 ? Array.Empty<(string, object?[])>() :
        [
            ($"""
              SELECT COUNT(*) FROM (
                  SELECT hash_part FROM paths WHERE cache_id = $1 AND hash_part IN (SELECT t.h FROM {_dialect.TextSetSource(2, "t")})
                  ORDER BY hash_part{_dialect.ForShare}
              ) AS present;
              """,
             [request.CacheId, new TextSet(references)]),
        ];
        var owns = OwnsStagedListingStatement(request) is { } ownsStatement ? [ownsStatement] : Array.Empty<(string, object?[])>();
        var stagedChunks = request.StagedNarId is { } stagedId ? [(StagedChunkHashesSql, new object?[] { stagedId })] : Array.Empty<(string, object?[])>();
        await MarkBeforeReuseAsync(session, ct).ConfigureAwait(false);
        var answers = await session.ScalarsAsync(
            ct,
            [
                ("SELECT 1 FROM paths WHERE cache_id = $1 AND hash_part = $2;", [request.CacheId, request.HashPart]),
                .. countReferences,
                .. owns,
                .. stagedChunks,
                InsertNarStatement(request.Nar),
                .. stagedChunks.Length > 0 ? [] : ReuseChunksStatements(request.Nar.Chunks),
            ]).ConfigureAwait(false);
        var at = 1;
        var referencesPresent = references.Count == 0 || Convert.ToInt64(answers[at++], System.Globalization.CultureInfo.InvariantCulture) == references.Count;
        var staged = owns.Length > 0 ? StagedListing(answers[at++]) : null;
        var takesOverStaged = stagedChunks.Length > 0 && answers[at++] as string == string.Join(' ', request.Nar.Chunks.Select(chunk => chunk.Hash));
        var inserted = answers[at++];
        var chunkIds = answers[at..];
        if (answers[0] is not null || !referencesPresent || (owns.Length > 0 && staged is null) || inserted is not long narId ||
            (stagedChunks.Length > 0 ? !takesOverStaged : Array.IndexOf(chunkIds, null) >= 0))
        {
            await session.DeferAsync(RollbackToSavepointSql, ct).ConfigureAwait(false);
            await session.DeferAsync(ReleaseSavepointSql, ct).ConfigureAwait(false);
            return null;
        }
        if (takesOverStaged)
        {
            await session.DeferAsync(ReleaseSavepointSql, ct).ConfigureAwait(false);
            await session.DeferSelectAsync(
                $"""
                SELECT c.id FROM chunks c WHERE c.id IN (SELECT chunk_id FROM staged_chunks WHERE staged_id = $1)
                ORDER BY c.hash{_dialect.OrdinalCollation}{_dialect.ForNoKeyUpdateOf("c")};
                """,
                ct,
                request.StagedNarId).ConfigureAwait(false);
            await session.DeferAsync(TakeOverStagedChunksSql, ct, narId, request.StagedNarId).ConfigureAwait(false);
        }
        else
        {
            await FinishAttachingChunksAsync(session, "nar_chunks", "nar_id", narId, request.Nar.Chunks, chunkIds, ct).ConfigureAwait(false);
        }
        await ClaimListingUnlessOwnedAsync(session, request, narId, staged is { } known && known.Listing == request.Nar.ListingKey, ct).ConfigureAwait(false);
        await ReleaseLockedStagedAsync(session, request, staged, ct, releaseChunks: !takesOverStaged).ConfigureAwait(false);
        var (insertPath, args) = InsertPathStatement(request, narId, onConflictDoNothing: false);
        await session.DeferAsync(insertPath, ct, args).ConfigureAwait(false);
        await RecordCommittedPathAsync(session, request, ct).ConfigureAwait(false);
        return CommitResult.Committed;
    }

    /// <summary>The staged upload's chunk hashes in order, separated by spaces (null when it has none or is gone).</summary>
    private const string StagedChunkHashesSql =
        "SELECT string_agg(c.hash, ' ' ORDER BY sc.seq) FROM staged_chunks sc JOIN chunks c ON c.id = sc.chunk_id WHERE sc.staged_id = $1;";

    /// <summary>
    /// The new NAR's chunk list, copied from its staged upload's (same chunks, checked by <see cref="StagedChunkHashesSql"/>):
    /// the upload's holders pass to the NAR as the upload is deleted, so no chunk row is updated (an update is a new row
    /// version in every index of the table). The rows are locked first, in hash order as everywhere: the insert's
    /// foreign-key check alone would share-lock them in the NAR's order, and a row share-locked by one transaction and
    /// updated by another makes PostgreSQL queue the updater behind a third waiter, which deadlocked concurrent
    /// releases of the same chunks (<c>ChunkLockOrderTests</c>).
    /// </summary>
    private const string TakeOverStagedChunksSql =
        "INSERT INTO nar_chunks (nar_id, seq, chunk_id) SELECT $1, seq, chunk_id FROM staged_chunks WHERE staged_id = $2;";
}
