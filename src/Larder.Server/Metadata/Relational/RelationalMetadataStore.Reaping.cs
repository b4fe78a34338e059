namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    /// <inheritdoc />
    public Task RecordBlobIntentsAsync(IReadOnlyCollection<string> storageKeys, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storageKeys);
        if (storageKeys.Count == 0)
        {
            return Task.CompletedTask;
        }
        return RunWriteAsync(
            (session, ct) => session.ExecuteAsync(
                $"""
                INSERT INTO blob_deletions (storage_key, due_at) SELECT t.h, $2 FROM {_dialect.TextSetSource(1, "t")} WHERE true
                ON CONFLICT (storage_key) DO UPDATE SET due_at = excluded.due_at;
                """,
                ct,
                new TextSet(storageKeys),
                dueAt),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> TryTakeLeaseAsync(string name, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken) =>
        RunWriteAsync(
            async (session, ct) => await session.ScalarAsync(
                """
                INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
                ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                WHERE leases.holder = excluded.holder OR leases.expires_at <= $4
                RETURNING holder;
                """,
                ct,
                name,
                holder,
                now + duration,
                now).ConfigureAwait(false) is not null,
            cancellationToken);

    /// <inheritdoc />
    public Task ReleaseLeaseAsync(string name, string holder, CancellationToken cancellationToken) => RunWriteAsync(
        (session, ct) => session.ExecuteAsync("DELETE FROM leases WHERE name = $1 AND holder = $2;", ct, name, holder),
        cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Each candidate is locked and checked again before it goes: a commit that took a holder meanwhile (under the same
    /// row lock) keeps it.
    /// </remarks>
    public Task<int> ReapNarsAsync(DateTimeOffset releasedBefore, DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        RunWriteAsync(async (session, ct) =>
        {
            var candidates = await ReadIdsAsync(
                session, "SELECT id FROM nars WHERE holders = 0 AND released_at < $1 ORDER BY released_at LIMIT $2;", ct, releasedBefore, limit)
                .ConfigureAwait(false);
            var reaped = 0;
            foreach (var id in candidates)
            {
                string? listing;
                await using (var reader = await session.ReaderAsync(
                    $"SELECT listing_key FROM nars WHERE id = $1 AND holders = 0 AND released_at < $2{_dialect.ForUpdateOf("nars")};",
                    ct,
                    id,
                    releasedBefore).ConfigureAwait(false))
                {
                    if (!await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        continue;
                    }
                    listing = ReadNullableString(reader, 0);
                }
                if (listing is not null)
                {
                    await EnqueueUnusedListingAsync(session, listing, now, exceptNarId: id, exceptStagedId: 0, ct).ConfigureAwait(false);
                }
                await ReleaseChunksAsync(session, "nar_chunks", "nar_id", id, now, ct).ConfigureAwait(false);
                await session.ExecuteAsync("DELETE FROM nars WHERE id = $1;", ct, id).ConfigureAwait(false);
                reaped++;
            }
            return reaped;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<int> ReapChunksAsync(DateTimeOffset releasedBefore, DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        RunWriteAsync(async (session, ct) =>
        {
            var candidates = await ReadIdsAsync(
                session, "SELECT id FROM chunks WHERE holders = 0 AND released_at < $1 ORDER BY released_at LIMIT $2;", ct, releasedBefore, limit)
                .ConfigureAwait(false);
            var reaped = 0;
            foreach (var id in candidates)
            {
                // Conditional: a commit that took a holder meanwhile holds the row lock first, and the row stays.
                string key;
                string? pack;
                await using (var reader = await session.ReaderAsync(
                    "DELETE FROM chunks WHERE id = $1 AND holders = 0 AND released_at < $2 RETURNING storage_key, pack_key;", ct, id, releasedBefore)
                    .ConfigureAwait(false))
                {
                    if (!await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        continue;
                    }
                    (key, pack) = (reader.GetString(0), ReadNullableString(reader, 1));
                }
                reaped++;
                // A pack never gains chunks once registered, and one reaper runs at a time (its lease): the pack's blob
                // goes with its last chunk, and a partly dead pack keeps its dead bytes until then.
                if (pack is null)
                {
                    await EnqueueBlobAsync(session, key, now, ct).ConfigureAwait(false);
                }
                else if (await session.ScalarAsync("SELECT 1 FROM chunks WHERE pack_key = $1 LIMIT 1;", ct, pack).ConfigureAwait(false) is null)
                {
                    await EnqueueBlobAsync(session, pack, now, ct).ConfigureAwait(false);
                }
            }
            return reaped;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListDueBlobDeletionsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        RunAsync(
            (session, ct) => ReadAllAsync(
                session, "SELECT storage_key FROM blob_deletions WHERE due_at <= $1 ORDER BY due_at LIMIT $2;", reader => reader.GetString(0), ct, now, limit),
            cancellationToken);

    /// <inheritdoc />
    public Task CompleteBlobDeletionsAsync(IReadOnlyCollection<string> storageKeys, DateTimeOffset now, CancellationToken cancellationToken) =>
        UpdateDueKeysAsync(storageKeys, "DELETE FROM blob_deletions", now, null, cancellationToken);

    /// <inheritdoc />
    public Task PostponeBlobDeletionsAsync(
        IReadOnlyCollection<string> storageKeys, DateTimeOffset now, DateTimeOffset retryAt, CancellationToken cancellationToken) =>
        UpdateDueKeysAsync(storageKeys, "UPDATE blob_deletions SET due_at = $3", now, retryAt, cancellationToken);

    /// <summary>Runs <paramref name="statement"/> on the queue rows of <paramref name="storageKeys"/> due by <paramref name="now"/> ($2); $3 is <paramref name="extra"/>.</summary>
    private Task UpdateDueKeysAsync(
        IReadOnlyCollection<string> storageKeys, string statement, DateTimeOffset now, DateTimeOffset? extra, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storageKeys);
        if (storageKeys.Count == 0)
        {
            return Task.CompletedTask;
        }
        var sql = $"{statement} WHERE storage_key IN (SELECT t.h FROM {_dialect.TextSetSource(1, "t")}) AND due_at <= $2;";
        return RunWriteAsync(
            (session, ct) => extra is { } value
                ? session.ExecuteAsync(sql, ct, new TextSet(storageKeys), now, value)
                : session.ExecuteAsync(sql, ct, new TextSet(storageKeys), now),
            cancellationToken);
    }
}
