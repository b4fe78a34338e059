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
    /// commit of it waiting, and only commits insert paths.
    /// </remarks>
    private async Task<CommitResult?> TryCommitAtOnceAsync(DbSession session, CommitRequest request, CancellationToken ct)
    {
        if (!session.BatchesStatements || _dialect.PathCommitLockSql is null)
        {
            return null;
        }
        var owns = OwnsStagedListingStatement(request) is { } ownsStatement ? [ownsStatement] : Array.Empty<(string, object?[])>();
        var references = request.ReferencesToCheck().Select(r => r.HashPart).Distinct(StringComparer.Ordinal).ToList();
        await MarkBeforeReuseAsync(session, ct).ConfigureAwait(false);
        var answers = await session.ScalarsAsync(
            ct,
            [
                ("SELECT 1 FROM paths WHERE cache_id = $1 AND hash_part = $2;", [request.CacheId, request.HashPart]),
                ($"""
                  SELECT COUNT(*) FROM (
                      SELECT hash_part FROM paths WHERE cache_id = $1 AND hash_part IN (SELECT t.h FROM {_dialect.TextSetSource(2, "t")})
                      ORDER BY hash_part{_dialect.ForShare}
                  ) AS present;
                  """,
                 [request.CacheId, new TextSet(references)]),
                .. owns,
                InsertNarStatement(request.Nar),
                .. ReuseChunksStatements(request.Nar.Chunks),
            ]).ConfigureAwait(false);
        var staged = owns.Length > 0 ? StagedListing(answers[2]) : null;
        var chunkIds = answers[(3 + owns.Length)..];
        if (answers[0] is not null || Convert.ToInt64(answers[1], System.Globalization.CultureInfo.InvariantCulture) != references.Count ||
            (owns.Length > 0 && staged is null) || answers[2 + owns.Length] is not long narId || Array.IndexOf(chunkIds, null) >= 0)
        {
            await session.DeferAsync(RollbackToSavepointSql, ct).ConfigureAwait(false);
            await session.DeferAsync(ReleaseSavepointSql, ct).ConfigureAwait(false);
            return null;
        }
        await FinishAttachingChunksAsync(session, "nar_chunks", "nar_id", narId, request.Nar.Chunks, chunkIds, ct).ConfigureAwait(false);
        await ClaimListingUnlessOwnedAsync(session, request, narId, staged is { } known && known.Listing == request.Nar.ListingKey, ct).ConfigureAwait(false);
        await ReleaseLockedStagedAsync(session, request, staged, ct).ConfigureAwait(false);
        var (insertPath, args) = InsertPathStatement(request, narId, onConflictDoNothing: false);
        await session.DeferAsync(insertPath, ct, args).ConfigureAwait(false);
        await RecordCommittedPathAsync(session, request, ct).ConfigureAwait(false);
        return CommitResult.Committed;
    }
}
