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
            async (session, ct) =>
            {
                // Sent with the commit: one round trip where the dialect batches.
                await session.DeferAsync(
                    $"""
                    INSERT INTO blob_deletions (storage_key, due_at) SELECT t.h, $2 FROM {_dialect.TextSetSource(1, "t")} WHERE true
                    ON CONFLICT (storage_key) DO UPDATE SET due_at = excluded.due_at;
                    """,
                    ct,
                    // In key order, so concurrent ingests announcing shared chunks take the queue's rows in one order.
                    new TextSet([.. storageKeys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]),
                    dueAt).ConfigureAwait(false);
                return true;
            },
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
    /// The candidates are locked in the order of their ids and checked again (a commit that took a holder meanwhile,
    /// under the same row lock, keeps its NAR), then their chunks are released in one statement (in hash order, see
    /// <see cref="ReleaseChunksAsync"/>) and they go.
    /// </remarks>
    public Task<int> ReapNarsAsync(DateTimeOffset releasedBefore, DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        RunWriteAsync(async (session, ct) =>
        {
            var reaped = await ReadAllAsync(
                session,
                $"""
                SELECT id, listing_key FROM nars
                WHERE id IN (SELECT id FROM nars WHERE holders = 0 AND released_at < $1 ORDER BY released_at LIMIT $2)
                  AND holders = 0 AND released_at < $1
                ORDER BY id{_dialect.ForUpdateOf("nars")};
                """,
                reader => (Id: reader.GetInt64(0), Listing: ReadNullableString(reader, 1)),
                ct,
                releasedBefore,
                limit).ConfigureAwait(false);
            if (reaped.Count > 0)
            {
                await DeleteListingOwnersAsync(session, "nars", "nar_chunks", "nar_id", reaped, now, ct).ConfigureAwait(false);
            }
            return reaped.Count;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<int> ReapChunksAsync(DateTimeOffset releasedBefore, DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        RunWriteAsync(async (session, ct) =>
        {
            // The oldest releases, deleted in the order of their hashes (see ReleaseChunksAsync).
            var candidates = await ReadIdsAsync(
                session,
                $"""
                SELECT c.id FROM (SELECT id, hash FROM chunks WHERE holders = 0 AND released_at < $1 ORDER BY released_at LIMIT $2) AS c
                ORDER BY c.hash{_dialect.OrdinalCollation};
                """,
                ct,
                releasedBefore,
                limit).ConfigureAwait(false);
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
        // The rows locked in key order first, the order in which RecordBlobIntentsAsync takes them.
        var sql = $"""
            {statement} WHERE storage_key IN (
                SELECT b.storage_key FROM blob_deletions b WHERE b.storage_key IN (SELECT t.h FROM {_dialect.TextSetSource(1, "t")}) AND b.due_at <= $2
                ORDER BY b.storage_key{_dialect.OrdinalCollation}{_dialect.ForUpdateOf("b")});
            """;
        return RunWriteAsync(
            (session, ct) => extra is { } value
                ? session.ExecuteAsync(sql, ct, new TextSet(storageKeys), now, value)
                : session.ExecuteAsync(sql, ct, new TextSet(storageKeys), now),
            cancellationToken);
    }
}
