using System.Data.Common;

namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    // Above every character of a store path name or hash part: "prefix" <= x < "prefix" + Above is a prefix range.
    private const string Above = "\uffff";

    /// <inheritdoc />
    public Task<IReadOnlyList<PathSummary>> FindPathsByHashPrefixAsync(long cacheId, string prefix, int limit, CancellationToken cancellationToken) =>
        FindPathsByPrefixAsync(cacheId, "p.hash_part", prefix, limit, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<PathSummary>> FindPathsByNamePrefixAsync(long cacheId, string prefix, int limit, CancellationToken cancellationToken) =>
        FindPathsByPrefixAsync(cacheId, _dialect.PathNameSql("p"), prefix, limit, cancellationToken);

    /// <summary>Paths whose <paramref name="column"/> (an indexed expression) starts with <paramref name="prefix"/>, in its order.</summary>
    private Task<IReadOnlyList<PathSummary>> FindPathsByPrefixAsync(long cacheId, string column, string prefix, int limit, CancellationToken cancellationToken) =>
        RunAsync(
            (session, ct) => ReadAllAsync(
                session,
                $"{PathSummarySelect} WHERE p.cache_id = $1 AND {column} >= $2 AND {column} < $3 ORDER BY {column}, p.hash_part LIMIT $4;",
                ReadPathSummary,
                ct,
                cacheId,
                prefix,
                prefix + Above,
                limit),
            cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<PathSummary>> ListPathsByNameAsync(long cacheId, string afterName, string afterHashPart, int limit, CancellationToken cancellationToken)
    {
        // Written as a range on the indexed name plus a filter, so that a deep page starts with one index probe.
        var name = _dialect.PathNameSql("p");
        return RunAsync(
            (session, ct) => ReadAllAsync(
                session,
                $"{PathSummarySelect} WHERE p.cache_id = $1 AND {name} >= $2 AND ({name} > $2 OR p.hash_part > $3) ORDER BY {name}, p.hash_part LIMIT $4;",
                ReadPathSummary,
                ct,
                cacheId,
                afterName,
                afterHashPart,
                limit),
            cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Ordered by <c>r.hash_part</c>, the order of <c>path_refs</c>' key after (cache, reference): so the page is the
    /// first rows of one key range even for a path nearly every other one references (SQLite sorted them all when the
    /// order named <c>p.hash_part</c>).
    /// </remarks>
    public Task<IReadOnlyList<PathSummary>> ListDirectDependentsAsync(long cacheId, string hashPart, int limit, CancellationToken cancellationToken) =>
        RunAsync(
            (session, ct) => ReadAllAsync(
                session,
                $"""
                {PathSummarySelect} JOIN path_refs r ON r.cache_id = p.cache_id AND r.hash_part = p.hash_part
                WHERE r.cache_id = $1 AND r.ref_hash_part = $2 ORDER BY r.hash_part LIMIT $3;
                """,
                ReadPathSummary,
                ct,
                cacheId,
                hashPart,
                limit),
            cancellationToken);

    /// <inheritdoc />
    /// <remarks>A walk of the <c>paths_by_nar_size</c> index (the NAR size is kept on the path row for it).</remarks>
    public Task<IReadOnlyList<PathSummary>> ListLargestPathsAsync(long cacheId, int limit, CancellationToken cancellationToken) =>
        RunAsync(
            (session, ct) => ReadAllAsync(
                session,
                $"{PathSummarySelect} WHERE p.cache_id = $1 ORDER BY p.nar_size DESC, p.hash_part LIMIT $2;",
                ReadPathSummary,
                ct,
                cacheId,
                limit),
            cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<PinHistoryEntry>> ListPinHistoryAsync(long cacheId, int limit, CancellationToken cancellationToken) =>
        RunAsync(
            (session, ct) => ReadAllAsync(
                session,
                $"""
                SELECT p.name, {RevisionColumns} FROM pins p JOIN pin_revisions r ON r.pin_id = p.id LEFT JOIN tokens t ON t.id = r.token_id
                WHERE p.cache_id = $1 ORDER BY r.id DESC LIMIT $2;
                """,
                reader => new PinHistoryEntry(reader.GetString(0), ReadRevision(reader, 1)),
                ct,
                cacheId,
                limit),
            cancellationToken);

    private const string PathSummarySelect =
        "SELECT p.hash_part, p.store_path, n.nar_size, p.created_at, p.last_accessed_at FROM paths p JOIN nars n ON n.id = p.nar_id";

    private PathSummary ReadPathSummary(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), _dialect.ReadTime(reader, 3), _dialect.ReadTime(reader, 4));
}
