namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    /// <inheritdoc />
    public Task AppendEventAsync(EventRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return RunWriteAsync(
            (session, ct) => session.ExecuteAsync(
                "INSERT INTO events (cache_id, kind, store_path, token_id, at) VALUES ($1, $2, $3, $4, $5);",
                ct,
                record.CacheId,
                record.Kind,
                record.StorePath,
                record.TokenId,
                record.At),
            cancellationToken,
            idempotent: false);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<EventRecord>> ListEventsAsync(long cacheId, int limit, CancellationToken cancellationToken) => RunAsync(async (session, ct) =>
    {
        await using var reader = await session.ReaderAsync(
            "SELECT id, kind, store_path, token_id, at FROM events WHERE cache_id = $1 ORDER BY id DESC LIMIT $2;",
            ct,
            cacheId,
            limit).ConfigureAwait(false);
        var events = new List<EventRecord>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            events.Add(new EventRecord(
                reader.GetInt64(0),
                cacheId,
                reader.GetString(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetInt64(3),
                _dialect.ReadTime(reader, 4)));
        }
        return (IReadOnlyList<EventRecord>)events;
    }, cancellationToken);

    /// <inheritdoc />
    public Task PutBuildLogAsync(long cacheId, string drvName, string storageKey, CancellationToken cancellationToken) => RunWriteAsync(
        (session, ct) => session.ExecuteAsync(
            """
            INSERT INTO build_logs (cache_id, drv_name, storage_key, created_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (cache_id, drv_name) DO UPDATE SET storage_key = excluded.storage_key, created_at = excluded.created_at;
            """,
            ct,
            cacheId,
            drvName,
            storageKey,
            DateTimeOffset.UtcNow),
        cancellationToken);

    /// <inheritdoc />
    public Task<string?> GetBuildLogKeyAsync(long cacheId, string drvName, CancellationToken cancellationToken) => RunAsync(
        async (session, ct) => await session.ScalarAsync(
            "SELECT storage_key FROM build_logs WHERE cache_id = $1 AND drv_name = $2;", ct, cacheId, drvName).ConfigureAwait(false) as string,
        cancellationToken);
}
