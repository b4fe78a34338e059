using System.Data.Common;
using System.Globalization;

namespace Larder.Server.Metadata.Relational;

/// <remarks>
/// Pins: every protected revision lists its closure in <c>pinned_paths</c> (written when the revision is added, removed
/// when its keep rule drops it), so "is this path pinned" is one indexed lookup inside <see cref="IsRootSql"/>.
/// </remarks>
public abstract partial class RelationalMetadataStore
{
    private const string RevisionColumns =
        "r.id, r.number, r.store_path, r.artifact, r.token_id, t.description, r.note, r.created_at, r.superseded_at, r.released_at";

    /// <inheritdoc />
    /// <remarks>
    /// The closure's rows are locked for key share, as a commit locks its references: an eviction or deletion racing
    /// this either finished first (the closure is found incomplete and nothing changes) or waits for this commit and
    /// then sees the pin (it reads <c>pinned_paths</c> again after locking).
    /// </remarks>
    public Task<PinChange> SetPinAsync(PinUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        return RunWriteAsync(async (session, ct) =>
        {
            var pin = await LockPinAsync(session, update.CacheId, update.Name, ct).ConfigureAwait(false);
            var (hashPart, artifact, note) = (update.HashPart, update.Artifact, (string?)null);
            if (update.RollbackTo is { } number)
            {
                var target = pin is null ? null : (await ReadAllAsync(
                    session,
                    "SELECT store_path, artifact FROM pin_revisions WHERE pin_id = $1 AND number = $2;",
                    reader => (StorePath: reader.GetString(0), Artifact: ReadNullableString(reader, 1)),
                    ct,
                    pin.Value.Id,
                    number).ConfigureAwait(false)).Cast<(string StorePath, string? Artifact)?>().FirstOrDefault();
                if (target is not { } revision)
                {
                    return new PinChange(null, null, [], UnknownRevision: true);
                }
                (hashPart, artifact, note) = (HashPartOfStorePath(revision.StorePath), revision.Artifact, $"rollback to revision {number}");
            }
            ArgumentException.ThrowIfNullOrEmpty(hashPart);
            var closure = await ReadClosureAsync(session, update.CacheId, hashPart, ct).ConfigureAwait(false);
            if (!closure.TryGetValue(hashPart, out var storePath) || storePath is null)
            {
                return new PinChange(null, hashPart, [], false);
            }
            var held = await ReadAllAsync(
                session,
                $"""
                SELECT p.hash_part FROM paths p
                WHERE p.cache_id = $1 AND p.hash_part IN (SELECT t.h FROM {_dialect.TextSetSource(2, "t")}) ORDER BY p.hash_part{_dialect.ForShare};
                """,
                reader => reader.GetString(0),
                ct,
                update.CacheId,
                new TextSet([.. closure.Keys])).ConfigureAwait(false);
            var missing = closure.Keys.Except(held, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (missing.Count > 0)
            {
                return new PinChange(null, missing.Contains(hashPart) ? hashPart : null, missing, false);
            }
            var pinId = pin?.Id ?? await InsertPinAsync(session, update, ct).ConfigureAwait(false);
            var keep = update.Keep ?? pin?.Keep ?? PinKeep.Default;
            await session.ExecuteAsync(
                "UPDATE pins SET keep_revisions = $2, keep_days = $3, keep_forever = $4 WHERE id = $1;", ct, pinId, keep.Revisions, keep.Days, keep.Forever)
                .ConfigureAwait(false);
            await session.ExecuteAsync(
                "UPDATE pin_revisions SET superseded_at = $2 WHERE pin_id = $1 AND superseded_at IS NULL;", ct, pinId, update.At).ConfigureAwait(false);
            var next = 1 + Convert.ToInt32(
                await session.ScalarAsync("SELECT COALESCE(MAX(number), 0) FROM pin_revisions WHERE pin_id = $1;", ct, pinId).ConfigureAwait(false),
                CultureInfo.InvariantCulture);
            var revisionId = (long)(await session.ScalarAsync(
                """
                INSERT INTO pin_revisions (pin_id, number, store_path, artifact, token_id, note, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id;
                """,
                ct,
                pinId,
                next,
                storePath,
                artifact,
                update.TokenId,
                note,
                update.At).ConfigureAwait(false))!;
            await session.ExecuteAsync(
                $"INSERT INTO pinned_paths (cache_id, hash_part, revision_id) SELECT $1, t.h, $2 FROM {_dialect.TextSetSource(3, "t")};",
                ct,
                update.CacheId,
                revisionId,
                new TextSet(held)).ConfigureAwait(false);
            await ApplyKeepAsync(session, pinId, keep, update.At, ct).ConfigureAwait(false);
            await BumpPinsVersionAsync(session, update.CacheId, update.At, ct).ConfigureAwait(false);
            var pins = await ReadPinsAsync(session, update.CacheId, update.Name, ct).ConfigureAwait(false);
            return new PinChange(pins[0], null, [], false);
        }, cancellationToken, idempotent: false);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<PinRecord>> ListPinsAsync(long cacheId, CancellationToken cancellationToken) => RunAsync(
        (session, ct) => ReadPinsAsync(session, cacheId, null, ct), cancellationToken);

    /// <inheritdoc />
    public Task<PinRecord?> GetPinAsync(long cacheId, string name, CancellationToken cancellationToken) => RunAsync(
        async (session, ct) => (await ReadPinsAsync(session, cacheId, name, ct).ConfigureAwait(false)).FirstOrDefault(), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<PinRevisionRecord>> ListPinRevisionsAsync(long cacheId, string name, CancellationToken cancellationToken) => RunAsync(
        (session, ct) => ReadAllAsync(
            session,
            $"""
            SELECT {RevisionColumns} FROM pin_revisions r JOIN pins p ON p.id = r.pin_id LEFT JOIN tokens t ON t.id = r.token_id
            WHERE p.cache_id = $1 AND p.name = $2 ORDER BY r.number DESC;
            """,
            reader => ReadRevision(reader, 0),
            ct,
            cacheId,
            name),
        cancellationToken);

    /// <inheritdoc />
    public Task<bool> DeletePinAsync(long cacheId, string name, DateTimeOffset at, CancellationToken cancellationToken) => RunWriteAsync(
        async (session, ct) =>
        {
            var deleted = await session.ExecuteAsync("DELETE FROM pins WHERE cache_id = $1 AND name = $2;", ct, cacheId, name).ConfigureAwait(false) > 0;
            if (deleted)
            {
                await BumpPinsVersionAsync(session, cacheId, at, ct).ConfigureAwait(false);
            }
            return deleted;
        },
        cancellationToken);

    /// <inheritdoc />
    public Task<int> ReleaseLapsedPinRevisionsAsync(long cacheId, DateTimeOffset now, CancellationToken cancellationToken) => RunWriteAsync(
        async (session, ct) =>
        {
            var held = await ReadAllAsync(
                session,
                """
                SELECT r.id, p.keep_days, r.superseded_at FROM pin_revisions r JOIN pins p ON p.id = r.pin_id
                WHERE p.cache_id = $1 AND p.keep_days IS NOT NULL AND r.released_at IS NULL AND r.superseded_at IS NOT NULL
                ORDER BY r.id;
                """,
                reader => (Id: reader.GetInt64(0), Days: Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture), SupersededAt: _dialect.ReadTime(reader, 2)),
                ct,
                cacheId).ConfigureAwait(false);
            var lapsed = held.Where(r => r.SupersededAt + TimeSpan.FromDays(r.Days) < now).Select(r => r.Id).ToList();
            await ReleaseRevisionsAsync(session, lapsed, now, ct).ConfigureAwait(false);
            return lapsed.Count;
        },
        cancellationToken);

    /// <inheritdoc />
    public Task<PinsVersion> GetPinsVersionAsync(long cacheId, CancellationToken cancellationToken) => RunAsync(async (session, ct) =>
    {
        await using var reader = await session.ReaderAsync("SELECT version, changed_at FROM pin_versions WHERE cache_id = $1;", ct, cacheId)
            .ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false)
            ? new PinsVersion(reader.GetInt64(0), _dialect.ReadTime(reader, 1))
            : PinsVersion.Initial;
    }, cancellationToken);

    /// <summary>The names of the pins whose protected revisions hold any of <paramref name="hashParts"/>, by name.</summary>
    private Task<IReadOnlyList<string>> ReadPinsHoldingAsync(DbSession session, long cacheId, IReadOnlyCollection<string> hashParts, CancellationToken ct) =>
        ReadAllAsync(
            session,
            $"""
            SELECT DISTINCT p.name FROM pinned_paths pp JOIN pin_revisions r ON r.id = pp.revision_id JOIN pins p ON p.id = r.pin_id
            WHERE pp.cache_id = $1 AND pp.hash_part IN (SELECT t.h FROM {_dialect.TextSetSource(2, "t")}) ORDER BY p.name;
            """,
            reader => reader.GetString(0),
            ct,
            cacheId,
            new TextSet(hashParts));

    /// <summary>The pin's row, locked, with its keep rule; null when the cache has no pin of that name.</summary>
    private async Task<(long Id, PinKeep Keep)?> LockPinAsync(DbSession session, long cacheId, string name, CancellationToken ct)
    {
        await using var reader = await session.ReaderAsync(
            $"SELECT p.id, p.keep_revisions, p.keep_days, p.keep_forever FROM pins p WHERE p.cache_id = $1 AND p.name = $2{_dialect.ForUpdateOf("p")};",
            ct,
            cacheId,
            name).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? (reader.GetInt64(0), ReadKeep(reader, 1)) : null;
    }

    /// <summary>Inserts the pin (or, when a concurrent request just did, takes that one) and returns its locked row's Id.</summary>
    private async Task<long> InsertPinAsync(DbSession session, PinUpdate update, CancellationToken ct)
    {
        await session.ExecuteAsync(
            """
            INSERT INTO pins (cache_id, name, keep_revisions, keep_days, keep_forever, created_at) VALUES ($1, $2, NULL, NULL, $3, $4)
            ON CONFLICT (cache_id, name) DO NOTHING;
            """,
            ct,
            update.CacheId,
            update.Name,
            false,
            update.At).ConfigureAwait(false);
        return (await LockPinAsync(session, update.CacheId, update.Name, ct).ConfigureAwait(false))!.Value.Id;
    }

    /// <summary>
    /// The closure of <paramref name="hashPart"/> in the cache, following <c>path_refs</c> from referrer to reference:
    /// each hash part with its store path, or null for a reference the cache does not hold.
    /// </summary>
    private async Task<Dictionary<string, string?>> ReadClosureAsync(DbSession session, long cacheId, string hashPart, CancellationToken ct)
    {
        var rows = await ReadAllAsync(
            session,
            """
            WITH RECURSIVE c(h) AS (
                SELECT s.hash_part FROM paths s WHERE s.cache_id = $1 AND s.hash_part = $2
                UNION
                SELECT r.ref_hash_part FROM path_refs r JOIN c ON r.hash_part = c.h WHERE r.cache_id = $1
            )
            SELECT c.h, p.store_path FROM c LEFT JOIN paths p ON p.cache_id = $1 AND p.hash_part = c.h;
            """,
            reader => (HashPart: reader.GetString(0), StorePath: ReadNullableString(reader, 1)),
            ct,
            cacheId,
            hashPart).ConfigureAwait(false);
        return rows.ToDictionary(r => r.HashPart, r => r.StorePath, StringComparer.Ordinal);
    }

    /// <summary>Releases the revisions of the pin that <paramref name="keep"/> no longer protects (the current one always stays).</summary>
    private async Task ApplyKeepAsync(DbSession session, long pinId, PinKeep keep, DateTimeOffset now, CancellationToken ct)
    {
        if (keep.Forever)
        {
            return;
        }
        var held = await ReadAllAsync(
            session,
            "SELECT id, number, superseded_at FROM pin_revisions WHERE pin_id = $1 AND released_at IS NULL ORDER BY number DESC;",
            reader => (Id: reader.GetInt64(0), Number: reader.GetInt32(1), SupersededAt: ReadNullableTime(reader, 2)),
            ct,
            pinId).ConfigureAwait(false);
        var newest = held.Count == 0 ? 0 : held[0].Number;
        var lapsed = held
            .Where(r => r.SupersededAt is { } superseded && (keep.Revisions is { } count
                ? r.Number <= newest - count
                : superseded + TimeSpan.FromDays(keep.Days ?? 0) < now))
            .Select(r => r.Id)
            .ToList();
        await ReleaseRevisionsAsync(session, lapsed, now, ct).ConfigureAwait(false);
    }

    private async Task ReleaseRevisionsAsync(DbSession session, IReadOnlyList<long> revisionIds, DateTimeOffset at, CancellationToken ct)
    {
        if (revisionIds.Count == 0)
        {
            return;
        }
        var ids = new TextSet([.. revisionIds.Select(id => id.ToString(CultureInfo.InvariantCulture))]);
        await session.ExecuteAsync(
            $"DELETE FROM pinned_paths WHERE revision_id IN (SELECT CAST(t.h AS BIGINT) FROM {_dialect.TextSetSource(1, "t")});", ct, ids)
            .ConfigureAwait(false);
        await session.ExecuteAsync(
            $"UPDATE pin_revisions SET released_at = $2 WHERE id IN (SELECT CAST(t.h AS BIGINT) FROM {_dialect.TextSetSource(1, "t")});", ct, ids, at)
            .ConfigureAwait(false);
    }

    private static Task BumpPinsVersionAsync(DbSession session, long cacheId, DateTimeOffset at, CancellationToken ct) =>
        session.ExecuteAsync(
            """
            INSERT INTO pin_versions (cache_id, version, changed_at) VALUES ($1, 1, $2)
            ON CONFLICT (cache_id) DO UPDATE SET version = pin_versions.version + 1, changed_at = excluded.changed_at;
            """,
            ct,
            cacheId,
            at);

    /// <summary>The cache's pins (only <paramref name="name"/> when given), by name, each with its current revision.</summary>
    private Task<IReadOnlyList<PinRecord>> ReadPinsAsync(DbSession session, long cacheId, string? name, CancellationToken ct) =>
        ReadAllAsync(
            session,
            $"""
            SELECT p.id, p.name, p.keep_revisions, p.keep_days, p.keep_forever, p.created_at, {RevisionColumns}
            FROM pins p JOIN pin_revisions r ON r.pin_id = p.id AND r.superseded_at IS NULL LEFT JOIN tokens t ON t.id = r.token_id
            WHERE p.cache_id = $1{(name is null ? "" : " AND p.name = $2")} ORDER BY p.name;
            """,
            reader =>
            {
                var current = ReadRevision(reader, 6);
                return new PinRecord(reader.GetInt64(0), reader.GetString(1), ReadKeep(reader, 2), _dialect.ReadTime(reader, 5), current, current.Number);
            },
            ct,
            name is null ? [cacheId] : [cacheId, name]);

    private PinRevisionRecord ReadRevision(DbDataReader reader, int first) => new(
        reader.GetInt64(first),
        Convert.ToInt32(reader.GetValue(first + 1), CultureInfo.InvariantCulture),
        reader.GetString(first + 2),
        ReadNullableString(reader, first + 3),
        reader.IsDBNull(first + 4) ? null : reader.GetInt64(first + 4),
        ReadNullableString(reader, first + 5),
        ReadNullableString(reader, first + 6),
        _dialect.ReadTime(reader, first + 7),
        ReadNullableTime(reader, first + 8),
        ReadNullableTime(reader, first + 9));

    /// <summary>A keep rule from the columns keep_revisions, keep_days, keep_forever starting at <paramref name="first"/>.</summary>
    private static PinKeep ReadKeep(DbDataReader reader, int first) => new(
        reader.IsDBNull(first) ? null : Convert.ToInt32(reader.GetValue(first), CultureInfo.InvariantCulture),
        reader.IsDBNull(first + 1) ? null : Convert.ToInt32(reader.GetValue(first + 1), CultureInfo.InvariantCulture),
        Convert.ToBoolean(reader.GetValue(first + 2), CultureInfo.InvariantCulture));

    private static string HashPartOfStorePath(string storePath) => storePath[(storePath.LastIndexOf('/') + 1)..][..32];
}
