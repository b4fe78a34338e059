namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    /// <inheritdoc />
    public Task<bool> SetSigningKeyAsync(long cacheId, string signingKey, CancellationToken cancellationToken) => RunWriteAsync(
        async (session, ct) => await session.ExecuteAsync("UPDATE caches SET signing_key = $2 WHERE id = $1;", ct, cacheId, signingKey)
            .ConfigureAwait(false) > 0,
        cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<PathToSign>> ListPathsToSignAsync(long cacheId, string afterHashPart, int limit, CancellationToken cancellationToken) =>
        RunAsync(async (session, ct) =>
        {
            await using var reader = await session.ReaderAsync(
                """
                SELECT p.hash_part, p.store_path, p.refs, n.nar_hash, n.nar_size, p.signatures
                FROM paths p JOIN nars n ON n.id = p.nar_id
                WHERE p.cache_id = $1 AND p.hash_part > $2 ORDER BY p.hash_part LIMIT $3;
                """,
                ct,
                cacheId,
                afterHashPart,
                limit).ConfigureAwait(false);
            var paths = new List<PathToSign>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                paths.Add(new PathToSign(
                    reader.GetString(0), reader.GetString(1), _dialect.ReadList(reader, 2), reader.GetString(3), reader.GetInt64(4), _dialect.ReadList(reader, 5)));
            }
            return (IReadOnlyList<PathToSign>)paths;
        }, cancellationToken);

    /// <inheritdoc />
    public Task SetPathSignaturesAsync(
        long cacheId, IReadOnlyCollection<(string HashPart, IReadOnlyList<string> Signatures)> paths, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return RunWriteAsync(async (session, ct) =>
        {
            foreach (var (hashPart, signatures) in paths)
            {
                await session.ExecuteAsync(
                    "UPDATE paths SET signatures = $3 WHERE cache_id = $1 AND hash_part = $2;", ct, cacheId, hashPart, signatures.ToArray())
                    .ConfigureAwait(false);
            }
            return true;
        }, cancellationToken);
    }
}
