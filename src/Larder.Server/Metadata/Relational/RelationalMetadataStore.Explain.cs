using System.Data.Common;
using Larder.Nix.Store;

namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    /// <inheritdoc />
    /// <remarks>
    /// At most four statements whatever the number of paths, in one read session: present paths by primary key, latest
    /// events by full store path (index <c>events_by_store_path</c>), latest events of bare hash parts of absent paths
    /// (only when some were asked), paths of the same name (a scan of the cache's paths, only when some are absent).
    /// </remarks>
    public Task<IReadOnlyList<PathStatusFacts>> GetPathStatusesAsync(
        long cacheId, string storeDir, IReadOnlyList<PathStatusQuery> queries, int sameNameLimit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storeDir);
        ArgumentNullException.ThrowIfNull(queries);
        if (queries.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<PathStatusFacts>>([]);
        }
        // 1-based positions of the hash part and of the name in "storeDir/hash-name".
        var hashStart = storeDir.Length + 2;
        var nameStart = hashStart + StorePath.HashPartLength + 1;
        return RunAsync(async (session, ct) =>
        {
            var present = await ReadPresentAsync(session, cacheId, queries, ct).ConfigureAwait(false);
            var fullPaths = queries
                .Select(q => present.TryGetValue(q.HashPart, out var p) ? p.StorePath : q.StorePath)
                .OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            var events = await ReadLatestEventsAsync(
                session,
                $"SELECT (SELECT max(e2.id) FROM events e2 WHERE e2.cache_id = $1 AND e2.store_path = s.h) FROM {_dialect.TextSetSource(2, "s")}",
                fullPaths, hashStart, ct, cacheId, new TextSet(fullPaths)).ConfigureAwait(false);
            var bareHashParts = queries
                .Where(q => q.StorePath is null && !present.ContainsKey(q.HashPart))
                .Select(q => q.HashPart).Distinct(StringComparer.Ordinal).ToList();
            var bareEvents = await ReadLatestEventsAsync(
                session,
                $"""
                SELECT max(e2.id) FROM events e2
                WHERE e2.cache_id = $1 AND substr(e2.store_path, $3, 32) IN (SELECT s.h FROM {_dialect.TextSetSource(2, "s")})
                GROUP BY substr(e2.store_path, $3, 32)
                """,
                bareHashParts, hashStart, ct, cacheId, new TextSet(bareHashParts), hashStart).ConfigureAwait(false);
            foreach (var (hashPart, facts) in bareEvents)
            {
                events.TryAdd(hashPart, facts);
            }
            var absentNames = queries
                .Where(q => q.StorePath is not null && !present.ContainsKey(q.HashPart))
                .Select(q => q.StorePath![(nameStart - 1)..]).Distinct(StringComparer.Ordinal).ToList();
            var sameName = await ReadSameNameAsync(session, cacheId, absentNames, nameStart, sameNameLimit, ct).ConfigureAwait(false);
            return (IReadOnlyList<PathStatusFacts>)[.. queries.Select(q => new PathStatusFacts(
                q.HashPart,
                present.GetValueOrDefault(q.HashPart),
                events.GetValueOrDefault(q.HashPart),
                q.StorePath is not null && !present.ContainsKey(q.HashPart)
                    ? sameName.GetValueOrDefault(q.StorePath[(nameStart - 1)..]) ?? []
                    : []))];
        }, cancellationToken);
    }

    private async Task<Dictionary<string, PresentPathFacts>> ReadPresentAsync(
        DbSession session, long cacheId, IReadOnlyList<PathStatusQuery> queries, CancellationToken ct)
    {
        var rows = await ReadAllAsync(
            session,
            $"""
            SELECT p.hash_part, p.store_path, n.nar_hash, n.nar_size, n.file_size, p.refs, p.upstream_refs, p.deriver, p.signatures,
                   p.created_at, p.last_accessed_at, p.origin
            FROM paths p JOIN nars n ON n.id = p.nar_id
            WHERE p.cache_id = $1 AND p.hash_part IN (SELECT s.h FROM {_dialect.TextSetSource(2, "s")});
            """,
            reader => (HashPart: reader.GetString(0), Facts: new PresentPathFacts(
                reader.GetString(1),
                reader.GetString(2),
                reader.GetInt64(3),
                reader.GetInt64(4),
                _dialect.ReadList(reader, 5),
                _dialect.ReadList(reader, 6),
                ReadNullableString(reader, 7),
                _dialect.ReadList(reader, 8),
                _dialect.ReadTime(reader, 9),
                _dialect.ReadTime(reader, 10),
                ReadNullableString(reader, 11))),
            ct,
            cacheId,
            new TextSet([.. queries.Select(q => q.HashPart).Distinct(StringComparer.Ordinal)])).ConfigureAwait(false);
        return rows.ToDictionary(r => r.HashPart, r => r.Facts, StringComparer.Ordinal);
    }

    /// <summary>The events whose ids <paramref name="latestIds"/> selects (the latest of each asked path), by hash part.</summary>
    private async Task<Dictionary<string, PathEventFacts>> ReadLatestEventsAsync(
        DbSession session, string latestIds, IReadOnlyList<string> keys, int hashStart, CancellationToken ct, params object?[] args)
    {
        var byHashPart = new Dictionary<string, PathEventFacts>(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return byHashPart;
        }
        var rows = await ReadAllAsync(
            session,
            $"""
            SELECT e.store_path, e.kind, e.at, t.description, e.reason
            FROM events e LEFT JOIN tokens t ON t.id = e.token_id
            WHERE e.id IN ({latestIds});
            """,
            ReadEvent,
            ct,
            args).ConfigureAwait(false);
        foreach (var row in rows)
        {
            byHashPart[row.StorePath.Substring(hashStart - 1, StorePath.HashPartLength)] = row;
        }
        return byHashPart;
    }

    private PathEventFacts ReadEvent(DbDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), _dialect.ReadTime(reader, 2), ReadNullableString(reader, 3), ReadNullableString(reader, 4));

    private async Task<Dictionary<string, List<SameNamePath>>> ReadSameNameAsync(
        DbSession session, long cacheId, IReadOnlyList<string> names, int nameStart, int limit, CancellationToken ct)
    {
        var byName = new Dictionary<string, List<SameNamePath>>(StringComparer.Ordinal);
        if (names.Count == 0 || limit <= 0)
        {
            return byName;
        }
        var rows = await ReadAllAsync(
            session,
            $"""
            SELECT p.store_path, p.deriver, p.created_at FROM paths p
            WHERE p.cache_id = $1 AND substr(p.store_path, $3) IN (SELECT s.h FROM {_dialect.TextSetSource(2, "s")})
            ORDER BY p.created_at DESC, p.hash_part;
            """,
            reader => new SameNamePath(reader.GetString(0), ReadNullableString(reader, 1), _dialect.ReadTime(reader, 2)),
            ct,
            cacheId,
            new TextSet(names),
            nameStart).ConfigureAwait(false);
        foreach (var row in rows)
        {
            var name = row.StorePath[(nameStart - 1)..];
            if (!byName.TryGetValue(name, out var list))
            {
                byName[name] = list = [];
            }
            if (list.Count < limit)
            {
                list.Add(row);
            }
        }
        return byName;
    }
}
