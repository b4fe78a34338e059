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
}
