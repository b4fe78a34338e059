namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<EventRecord>> ListEventsAsync(long cacheId, int limit, CancellationToken cancellationToken) => RunAsync(
        (session, ct) => ReadAllAsync(
            session,
            "SELECT id, kind, store_path, token_id, at, reason FROM events WHERE cache_id = $1 ORDER BY id DESC LIMIT $2;",
            reader => new EventRecord(
                reader.GetInt64(0),
                cacheId,
                reader.GetString(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetInt64(3),
                _dialect.ReadTime(reader, 4),
                ReadNullableString(reader, 5)),
            ct,
            cacheId,
            limit),
        cancellationToken);

    /// <inheritdoc />
    public Task PutBuildLogAsync(long cacheId, string drvName, string storageKey, CancellationToken cancellationToken) => RunWriteAsync(async (session, ct) =>
    {
        var now = _time.GetUtcNow();
        if (!await ClaimBlobAsync(session, storageKey, now, ct).ConfigureAwait(false))
        {
            throw new MetadataUnavailableException(
                $"build log {drvName} ({storageKey}) was deleted, or never announced, while it was uploaded: upload it again");
        }
        var replaced = await session.ScalarAsync(
            "SELECT storage_key FROM build_logs WHERE cache_id = $1 AND drv_name = $2;", ct, cacheId, drvName).ConfigureAwait(false) as string;
        await session.ExecuteAsync(
            """
            INSERT INTO build_logs (cache_id, drv_name, storage_key, created_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (cache_id, drv_name) DO UPDATE SET storage_key = excluded.storage_key, created_at = excluded.created_at;
            """,
            ct,
            cacheId,
            drvName,
            storageKey,
            now).ConfigureAwait(false);
        if (replaced is not null && replaced != storageKey)
        {
            await EnqueueUnusedLogAsync(session, replaced, now, ct).ConfigureAwait(false);
        }
        return true;
    }, cancellationToken);

    /// <summary>Queues a build log's blob unless another log row names it (keys from before unique keys were content-addressed and shared).</summary>
    private static Task EnqueueUnusedLogAsync(DbSession session, string storageKey, DateTimeOffset now, CancellationToken ct) =>
        session.ExecuteAsync(
            """
            INSERT INTO blob_deletions (storage_key, due_at)
            SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM build_logs WHERE storage_key = $1)
            ON CONFLICT (storage_key) DO NOTHING;
            """,
            ct,
            storageKey,
            now);

    /// <inheritdoc />
    public Task<string?> GetBuildLogKeyAsync(long cacheId, string drvName, CancellationToken cancellationToken) => RunAsync(
        async (session, ct) => await session.ScalarAsync(
            "SELECT storage_key FROM build_logs WHERE cache_id = $1 AND drv_name = $2;", ct, cacheId, drvName).ConfigureAwait(false) as string,
        cancellationToken);
}
