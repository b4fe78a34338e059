using Larder.Server.Storage;

namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    /// <inheritdoc />
    /// <remarks>
    /// Each chunk's insert is tried first, in hash order (the order every writer takes chunk rows in): a new chunk, the
    /// usual case, costs one statement, all of them sent together where the dialect batches. A chunk stored meanwhile
    /// wins as in <see cref="RegisterPackAsync"/>. The bytes go in, with the commit, only when a row names the pack.
    /// </remarks>
    public Task<IReadOnlyList<ChunkRecord>> RegisterInlinePackAsync(
        string packKey, IReadOnlyList<ChunkRecord> chunks, byte[] bytes, DateTimeOffset releasedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(bytes);
        return RunWriteAsync<IReadOnlyList<ChunkRecord>>(async (session, ct) =>
        {
            var now = _time.GetUtcNow();
            var distinct = chunks.DistinctBy(chunk => chunk.Hash, StringComparer.Ordinal).OrderBy(chunk => chunk.Hash, StringComparer.Ordinal).ToList();
            var inserted = await session.ScalarsAsync(ct, [.. distinct.Select(chunk => InsertChunkStatement(chunk, 0, releasedAt, now))])
                .ConfigureAwait(false);
            var registered = new Dictionary<string, ChunkRecord>(StringComparer.Ordinal);
            for (var i = 0; i < distinct.Count; i++)
            {
                var chunk = distinct[i];
                registered[chunk.Hash] = inserted[i] is not null
                    ? chunk
                    : await KeepChunkAsync(session, chunk.Hash, releasedAt, ct).ConfigureAwait(false)
                        ?? (await InsertChunkAsync(session, chunk, holders: 0, releasedAt, now, ct).ConfigureAwait(false) is not null
                            ? chunk
                            : throw new InvalidOperationException($"chunk {chunk.Hash} conflicted on insert but cannot be read back"));
            }
            await session.DeferAsync(
                """
                INSERT INTO inline_blobs (storage_key, size, bytes, created_at)
                SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM chunks WHERE pack_key = $1);
                """,
                ct,
                packKey,
                (long)bytes.Length,
                bytes,
                now).ConfigureAwait(false);
            return [.. chunks.Select(chunk => registered[chunk.Hash])];
        }, cancellationToken, idempotent: false);
    }

    /// <inheritdoc />
    public Task<byte[]?> ReadInlineBlobAsync(string key, CancellationToken cancellationToken) => RunAsync(
        async (session, ct) => await session.ScalarAsync("SELECT bytes FROM inline_blobs WHERE storage_key = $1;", ct, key).ConfigureAwait(false) as byte[],
        cancellationToken);

    /// <inheritdoc />
    public Task<long?> GetInlineBlobSizeAsync(string key, CancellationToken cancellationToken) => RunAsync(
        async (session, ct) => await session.ScalarAsync("SELECT size FROM inline_blobs WHERE storage_key = $1;", ct, key).ConfigureAwait(false) as long?,
        cancellationToken);

    /// <inheritdoc />
    public Task DeleteInlineBlobAsync(string key, CancellationToken cancellationToken) => RunWriteAsync(
        (session, ct) => session.ExecuteAsync("DELETE FROM inline_blobs WHERE storage_key = $1;", ct, key),
        cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<BlobInfo>> ListInlineBlobsAsync(string prefix, string after, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return RunAsync(
            (session, ct) => ReadAllAsync(
                session,
                "SELECT storage_key, size, created_at FROM inline_blobs WHERE storage_key > $1 AND substr(storage_key, 1, $2) = $3 ORDER BY storage_key LIMIT $4;",
                reader => new BlobInfo(reader.GetString(0), reader.GetInt64(1), _dialect.ReadTime(reader, 2)),
                ct,
                after,
                prefix.Length,
                prefix,
                limit),
            cancellationToken);
    }
}
