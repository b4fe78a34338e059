namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<(long CacheId, string HashPart)>> ListPathsUsingNarAsync(long narId, CancellationToken cancellationToken) => RunAsync(
        (session, ct) => ReadAllAsync(
            session,
            "SELECT cache_id, hash_part FROM paths WHERE nar_id = $1 ORDER BY cache_id, hash_part;",
            reader => (reader.GetInt64(0), reader.GetString(1)),
            ct,
            narId),
        cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// The rows keep their ids (so <c>nar_chunks</c> and holders are untouched and they leave the usual way) but their
    /// unique hashes get a <c>quarantined:&lt;id&gt;:</c> prefix, which no lookup by NarHash or chunk hash ever matches.
    /// </remarks>
    public Task QuarantineNarAsync(long narId, IReadOnlyCollection<string> chunkHashes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunkHashes);
        return RunWriteAsync(async (session, ct) =>
        {
            await session.ExecuteAsync(
                "UPDATE nars SET nar_hash = 'quarantined:' || CAST(id AS TEXT) || ':' || nar_hash WHERE id = $1 AND nar_hash NOT LIKE 'quarantined:%';",
                ct,
                narId).ConfigureAwait(false);
            return await session.ExecuteAsync(
                $"""
                UPDATE chunks SET hash = 'quarantined:' || CAST(id AS TEXT) || ':' || hash
                WHERE hash IN (SELECT t.h FROM {_dialect.TextSetSource(1, "t")});
                """,
                ct,
                new TextSet([.. chunkHashes.Where(h => !h.StartsWith("quarantined:", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal)]))
                .ConfigureAwait(false);
        }, cancellationToken);
    }
}
