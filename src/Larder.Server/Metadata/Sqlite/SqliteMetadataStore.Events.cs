using Dapper;

namespace Larder.Server.Metadata.Sqlite;

public sealed partial class SqliteMetadataStore
{
    /// <inheritdoc />
    public Task AppendEventAsync(EventRecord record, CancellationToken cancellationToken) => Run(cancellationToken, session =>
    {
        ArgumentNullException.ThrowIfNull(record);
        return session.Connection.Execute(
            "INSERT INTO events (cache_id, kind, store_path, token_id, at) VALUES (@CacheId, @Kind, @StorePath, @TokenId, @At);",
            new { record.CacheId, record.Kind, record.StorePath, record.TokenId, At = ToDb(record.At) });
    });

    /// <inheritdoc />
    public Task<IReadOnlyList<EventRecord>> ListEventsAsync(long cacheId, int limit, CancellationToken cancellationToken) => Run(cancellationToken, session =>
    {
        using var reader = session.Command(
            "SELECT id, kind, store_path, token_id, at FROM events WHERE cache_id = $p0 ORDER BY id DESC LIMIT $p1;",
            cacheId,
            limit).ExecuteReader();
        var events = new List<EventRecord>();
        while (reader.Read())
        {
            events.Add(new EventRecord(
                reader.GetInt64(0),
                cacheId,
                reader.GetString(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetInt64(3),
                FromDb(reader.GetInt64(4))));
        }
        return (IReadOnlyList<EventRecord>)events;
    });

    /// <inheritdoc />
    public Task PutBuildLogAsync(long cacheId, string drvName, string storageKey, CancellationToken cancellationToken) => Run(cancellationToken, session =>
        session.Command(
            """
            INSERT INTO build_logs (cache_id, drv_name, storage_key, created_at) VALUES ($p0, $p1, $p2, $p3)
            ON CONFLICT (cache_id, drv_name) DO UPDATE SET storage_key = excluded.storage_key, created_at = excluded.created_at;
            """,
            cacheId,
            drvName,
            storageKey,
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).ExecuteNonQuery());

    /// <inheritdoc />
    public Task<string?> GetBuildLogKeyAsync(long cacheId, string drvName, CancellationToken cancellationToken) => Run(cancellationToken, session =>
        session.Command("SELECT storage_key FROM build_logs WHERE cache_id = $p0 AND drv_name = $p1;", cacheId, drvName).ExecuteScalar() as string);
}
