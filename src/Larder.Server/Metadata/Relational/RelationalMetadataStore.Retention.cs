using System.Data.Common;

namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    /// <summary>
    /// The one definition of a root, a path garbage collection never evicts: a path pushed after
    /// <c>$<paramref name="pushedBeforeParameter"/></c>, the start of the recent-push protection window (so an
    /// in-progress closure push is never collected), or a path in the closure of a protected pin revision (one indexed
    /// lookup in <c>pinned_paths</c>, which pins keep current).
    /// </summary>
    private static string IsRootSql(string alias, int pushedBeforeParameter) =>
        $"({alias}.created_at > ${pushedBeforeParameter} OR EXISTS (SELECT 1 FROM pinned_paths pp WHERE pp.cache_id = {alias}.cache_id AND pp.hash_part = {alias}.hash_part))";

    /// <inheritdoc />
    public Task<RetentionSettings> GetRetentionAsync(long cacheId, CancellationToken cancellationToken) => RunAsync(async (session, ct) =>
    {
        await using var reader = await session.ReaderAsync("SELECT retention_days, max_size_bytes FROM caches WHERE id = $1;", ct, cacheId)
            .ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false)
            ? new RetentionSettings(
                reader.IsDBNull(0) ? null : Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture),
                reader.IsDBNull(1) ? null : reader.GetInt64(1))
            : RetentionSettings.None;
    }, cancellationToken);

    /// <inheritdoc />
    public Task SetRetentionAsync(long cacheId, RetentionSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return RunWriteAsync(
            (session, ct) => session.ExecuteAsync(
                "UPDATE caches SET retention_days = $2, max_size_bytes = $3 WHERE id = $1;", ct, cacheId, settings.Days, settings.MaxSizeBytes),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<LruCursor>> ListLeastRecentlyUsedAsync(
        long cacheId, LruCursor? after, DateTimeOffset? accessedBefore, int limit, CancellationToken cancellationToken) => RunAsync(
        (session, ct) => ReadAllAsync(
            session,
            """
            SELECT hash_part, last_accessed_at FROM paths
            WHERE cache_id = $1 AND (last_accessed_at, hash_part) > ($2, $3) AND last_accessed_at < $4
            ORDER BY last_accessed_at, hash_part LIMIT $5;
            """,
            reader => new LruCursor(_dialect.ReadTime(reader, 1), reader.GetString(0)),
            ct,
            cacheId,
            after?.LastAccessedAt ?? DateTimeOffset.UnixEpoch,
            after?.HashPart ?? "",
            accessedBefore ?? DateTimeOffset.MaxValue,
            limit),
        cancellationToken);

    /// <inheritdoc />
    public Task<PathDeletion> DeletePathAsync(
        long cacheId, string hashPart, bool recursive, bool dryRun, string reason, long? tokenId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        Func<DbSession, CancellationToken, Task<PathDeletion>> body = async (session, ct) =>
        {
            var seed = (await ReadRetainedAsync(session, cacheId, [hashPart], at, lockRows: !dryRun, ct).ConfigureAwait(false)).FirstOrDefault();
            if (seed is null)
            {
                return new PathDeletion(null, [], [], false, []);
            }
            var direct = await ReadAllAsync(
                session,
                """
                SELECT p.store_path FROM path_refs r JOIN paths p ON p.cache_id = r.cache_id AND p.hash_part = r.hash_part
                WHERE r.cache_id = $1 AND r.ref_hash_part = $2 ORDER BY p.store_path;
                """,
                reader => reader.GetString(0),
                ct,
                cacheId,
                hashPart).ConfigureAwait(false);
            if (!recursive && direct.Count > 0)
            {
                return new PathDeletion(seed, [seed], direct, false, []);
            }
            var group = await CollectGroupAsync(session, cacheId, hashPart, _ => true, _ => false, int.MaxValue, at, lockRows: !dryRun, ct)
                .ConfigureAwait(false);
            // Read after the group is locked: a pin set meanwhile has committed (it holds the closure for key share) and is seen.
            var pins = await ReadPinsHoldingAsync(session, cacheId, [.. group.Members.Select(m => m.HashPart)], ct).ConfigureAwait(false);
            if (pins.Count > 0)
            {
                return new PathDeletion(seed, group.Members, direct, false, pins);
            }
            if (!dryRun)
            {
                await DeleteGroupAsync(session, cacheId, group.Members, "delete", reason, tokenId, at, ct).ConfigureAwait(false);
            }
            return new PathDeletion(seed, group.Members, direct, !dryRun, []);
        };
        return dryRun ? RunAsync(body, cancellationToken) : RunWriteAsync(body, cancellationToken);
    }

    /// <inheritdoc />
    public Task<PathRetentionFacts?> GetRetentionFactsAsync(
        long cacheId, string hashPart, DateTimeOffset pushedBefore, int dependentLimit, CancellationToken cancellationToken) => RunAsync(async (session, ct) =>
    {
        var group = await CollectGroupAsync(
            session, cacheId, hashPart, _ => true, _ => false, dependentLimit + 1, pushedBefore, lockRows: false, ct).ConfigureAwait(false);
        if (group.Members.Count == 0)
        {
            return null;
        }
        var path = group.Members[^1];
        var lessRecent = Convert.ToInt64(
            await session.ScalarAsync(
                "SELECT COUNT(*) FROM paths WHERE cache_id = $1 AND (last_accessed_at, hash_part) < ($2, $3);", ct, cacheId, path.LastAccessedAt, hashPart)
                .ConfigureAwait(false),
            System.Globalization.CultureInfo.InvariantCulture);
        return new PathRetentionFacts(path, group.Members.Take(group.Members.Count - 1).ToList(), group.TooLarge, lessRecent);
    }, cancellationToken);

    /// <summary>The outcome of <see cref="CollectGroupAsync"/>: the group with the seed last, or why it stopped.</summary>
    /// <param name="Members">The group found (the seed last), empty when the seed is absent or gone.</param>
    /// <param name="Blocker">The first path the acceptance test refused; the group is incomplete.</param>
    /// <param name="TooLarge">The group exceeds the limit; <paramref name="Members"/> holds the paths found up to it (the seed last).</param>
    private sealed record GroupOutcome(IReadOnlyList<RetainedPath> Members, RetainedPath? Blocker, bool TooLarge);

    /// <summary>
    /// The seed and every path of the cache that references it, transitively, skipping those <paramref name="isGone"/> names; stops at
    /// the first path <paramref name="accept"/> refuses or past <paramref name="maxGroup"/> paths. With
    /// <paramref name="lockRows"/> each level's rows are locked before the paths referencing them are read.
    /// </summary>
    private async Task<GroupOutcome> CollectGroupAsync(
        DbSession session, long cacheId, string seedHashPart, Func<RetainedPath, bool> accept, Func<string, bool> isGone, int maxGroup,
        DateTimeOffset pushedBefore, bool lockRows, CancellationToken ct)
    {
        var seed = (await ReadRetainedAsync(session, cacheId, [seedHashPart], pushedBefore, lockRows, ct).ConfigureAwait(false)).FirstOrDefault();
        if (seed is null)
        {
            return new GroupOutcome([], null, false);
        }
        if (!accept(seed))
        {
            return new GroupOutcome([seed], seed, false);
        }
        var levels = new List<IReadOnlyList<RetainedPath>> { new[] { seed } };
        var found = new HashSet<string>(StringComparer.Ordinal) { seedHashPart };
        var frontier = new List<string> { seedHashPart };
        while (frontier.Count > 0)
        {
            var referrers = (await ReadAllAsync(
                    session,
                    $"SELECT DISTINCT r.hash_part FROM path_refs r WHERE r.cache_id = $1 AND r.ref_hash_part IN (SELECT t.h FROM {_dialect.TextSetSource(2, "t")});",
                    reader => reader.GetString(0),
                    ct,
                    cacheId,
                    new TextSet(frontier)).ConfigureAwait(false))
                .Where(h => !found.Contains(h) && !isGone(h))
                .Order(StringComparer.Ordinal)
                .ToList();
            if (referrers.Count == 0)
            {
                break;
            }
            if (found.Count + referrers.Count > maxGroup)
            {
                return new GroupOutcome(Flatten(levels), null, true);
            }
            var level = await ReadRetainedAsync(session, cacheId, referrers, pushedBefore, lockRows, ct).ConfigureAwait(false);
            if (level.FirstOrDefault(m => !accept(m)) is { } blocker)
            {
                return new GroupOutcome(Flatten(levels), blocker, false);
            }
            levels.Add(level);
            found.UnionWith(referrers);
            frontier = [.. level.Select(m => m.HashPart)];
        }
        return new GroupOutcome(Flatten(levels), null, false);

        // Dependents first, the seed last: the order in which they can leave one by one.
        static List<RetainedPath> Flatten(List<IReadOnlyList<RetainedPath>> levels) =>
            [.. Enumerable.Range(0, levels.Count).Reverse().SelectMany(i => levels[i])];
    }

    /// <summary>
    /// The seed's group for eviction (as <see cref="CollectGroupAsync"/> with roots refused). Where the dialect
    /// <see cref="SqlDialect.ReadsGroupsRecursively"/>, it is found with one read of the whole group before anything is locked, so a group that cannot go costs one query and locks nothing. With
    /// <paramref name="lockRows"/>, a group that can go is then locked and its referrers read again under the locks
    /// (a push adding a referrer holds its references until it commits, so none can join unseen after that); when the
    /// group changed between the two reads it is collected again level by level under locks.
    /// </summary>
    private async Task<GroupOutcome> CollectEvictableGroupAsync(
        DbSession session, long cacheId, string seedHashPart, Func<string, bool> isGone, int maxGroup, DateTimeOffset pushedBefore, bool lockRows,
        CancellationToken ct)
    {
        if (!_dialect.ReadsGroupsRecursively)
        {
            return await CollectGroupAsync(session, cacheId, seedHashPart, m => !m.IsRoot, isGone, maxGroup, pushedBefore, lockRows, ct)
                .ConfigureAwait(false);
        }
        var reads = await ReadGroupsAsync(session, cacheId, [seedHashPart], maxGroup, pushedBefore, ct).ConfigureAwait(false);
        var read = reads.TryGetValue(seedHashPart, out var group) ? group : [];
        if (UnlockedVerdict(read, seedHashPart, isGone, maxGroup) is { } verdict)
        {
            return verdict;
        }
        var members = read.Where(m => !isGone(m.HashPart)).ToList();
        var hashParts = members.Select(m => m.HashPart).ToHashSet(StringComparer.Ordinal);
        if (lockRows)
        {
            members = [.. await ReadRetainedAsync(session, cacheId, hashParts, pushedBefore, lockRows: true, ct).ConfigureAwait(false)];
        }
        var (referrers, pinned) = await ReadReferrersAndPinsAsync(session, cacheId, hashParts, ct).ConfigureAwait(false);
        if (members.Count != hashParts.Count || referrers.Any(r => !hashParts.Contains(r.Referrer) && !isGone(r.Referrer)))
        {
            var again = await CollectGroupAsync(session, cacheId, seedHashPart, m => !m.IsRoot, isGone, maxGroup, pushedBefore, lockRows, ct)
                .ConfigureAwait(false);
            return again.Blocker is null && !again.TooLarge && lockRows ? await BlockPinnedAsync(session, cacheId, again, ct).ConfigureAwait(false) : again;
        }
        if (members.Find(m => m.IsRoot || pinned.Contains(m.HashPart)) is { } lockedRoot)
        {
            return new GroupOutcome(members, lockedRoot with { IsRoot = true }, false);
        }
        return new GroupOutcome(DependentsFirst(seedHashPart, members, referrers), null, false);
    }

    /// <summary>
    /// What an unlocked read of a seed's group (<see cref="ReadGroupsAsync"/>) already decides: the seed is gone (empty),
    /// the group is too large, or a member is a root; null when the group can go as far as the read shows.
    /// </summary>
    private static GroupOutcome? UnlockedVerdict(IReadOnlyList<RetainedPath> read, string seedHashPart, Func<string, bool> isGone, int maxGroup)
    {
        var members = read.Where(m => !isGone(m.HashPart)).ToList();
        if (members.TrueForAll(m => m.HashPart != seedHashPart))
        {
            return new GroupOutcome([], null, false);
        }
        if (read.Count > maxGroup)
        {
            return new GroupOutcome(members, null, true);
        }
        return members.Find(m => m.IsRoot) is { } root ? new GroupOutcome(members, root, false) : null;
    }

    /// <summary>
    /// Read after the locks, in one round trip: each edge from a referrer to one of <paramref name="hashParts"/>, and
    /// those of them a pin protects (a pin set meanwhile is seen: a locking read waiting for that pin's key-share locks
    /// computed its root flags before it committed).
    /// </summary>
    private async Task<(List<(string Referrer, string Referenced)> Referrers, HashSet<string> Pinned)> ReadReferrersAndPinsAsync(
        DbSession session, long cacheId, IReadOnlyCollection<string> hashParts, CancellationToken ct)
    {
        var edges = await ReadAllAsync(
            session,
            $"""
            SELECT r.hash_part, r.ref_hash_part FROM path_refs r WHERE r.cache_id = $1 AND r.ref_hash_part IN (SELECT t.h FROM {_dialect.TextSetSource(2, "t")})
            UNION ALL
            SELECT NULL, pp.hash_part FROM pinned_paths pp WHERE pp.cache_id = $1 AND pp.hash_part IN (SELECT t.h FROM {_dialect.TextSetSource(2, "t")});
            """,
            reader => (Referrer: ReadNullableString(reader, 0), Referenced: reader.GetString(1)),
            ct,
            cacheId,
            new TextSet(hashParts)).ConfigureAwait(false);
        return (
            [.. edges.Where(e => e.Referrer is not null).Select(e => (e.Referrer!, e.Referenced))],
            edges.Where(e => e.Referrer is null).Select(e => e.Referenced).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>A group's members ordered as <see cref="CollectGroupAsync"/> orders them: dependents first, the seed last.</summary>
    private static List<RetainedPath> DependentsFirst(
        string seedHashPart, IReadOnlyCollection<RetainedPath> members, IEnumerable<(string Referrer, string Referenced)> referrers)
    {
        var hashParts = members.Select(m => m.HashPart).ToHashSet(StringComparer.Ordinal);
        var level = GroupLevels(seedHashPart, referrers.Where(r => hashParts.Contains(r.Referrer) && hashParts.Contains(r.Referenced)));
        return [.. members.OrderByDescending(m => level.GetValueOrDefault(m.HashPart)).ThenBy(m => m.HashPart, StringComparer.Ordinal)];
    }

    /// <summary>The group, or the group blocked by its first member a pin protects (read afresh, after the group was locked).</summary>
    private async Task<GroupOutcome> BlockPinnedAsync(DbSession session, long cacheId, GroupOutcome group, CancellationToken ct)
    {
        var pinned = await ReadAllAsync(
            session,
            $"SELECT pp.hash_part FROM pinned_paths pp WHERE pp.cache_id = $1 AND pp.hash_part IN (SELECT t.h FROM {_dialect.TextSetSource(2, "t")});",
            reader => reader.GetString(0),
            ct,
            cacheId,
            new TextSet([.. group.Members.Select(m => m.HashPart)])).ConfigureAwait(false);
        return group.Members.FirstOrDefault(m => pinned.Contains(m.HashPart)) is { } blocker
            ? group with { Blocker = blocker with { IsRoot = true } }
            : group;
    }

    /// <summary>Each path's distance from the seed, following the referrer edges breadth first.</summary>
    private static Dictionary<string, int> GroupLevels(string seedHashPart, IEnumerable<(string Referrer, string Referenced)> edges)
    {
        var referrersOf = edges.ToLookup(e => e.Referenced, e => e.Referrer, StringComparer.Ordinal);
        var level = new Dictionary<string, int>(StringComparer.Ordinal) { [seedHashPart] = 0 };
        var queue = new Queue<string>([seedHashPart]);
        while (queue.TryDequeue(out var hashPart))
        {
            foreach (var referrer in referrersOf[hashPart].Where(r => !level.ContainsKey(r)))
            {
                level[referrer] = level[hashPart] + 1;
                queue.Enqueue(referrer);
            }
        }
        return level;
    }

    /// <summary>
    /// For each seed, the seed and every path of the cache that references it, transitively, in one recursive query
    /// without locks; at most <paramref name="maxGroup"/> + 1 paths a seed, so more than <paramref name="maxGroup"/>
    /// means the group is too large. A seed the cache lacks has no entry.
    /// </summary>
    private async Task<Dictionary<string, List<RetainedPath>>> ReadGroupsAsync(
        DbSession session, long cacheId, IReadOnlyCollection<string> seedHashParts, int maxGroup, DateTimeOffset pushedBefore, CancellationToken ct)
    {
        var rows = await ReadAllAsync(
            session,
            $"""
            SELECT p.hash_part, p.store_path, p.created_at, p.last_accessed_at, n.file_size, CASE WHEN {IsRootSql("p", 3)} THEN 1 ELSE 0 END, t.h
            FROM {_dialect.TextSetSource(2, "t")}
            CROSS JOIN LATERAL (
                WITH RECURSIVE g(h) AS (
                    SELECT s.hash_part FROM paths s WHERE s.cache_id = $1 AND s.hash_part = t.h
                    UNION
                    SELECT r.hash_part FROM path_refs r JOIN g ON r.ref_hash_part = g.h WHERE r.cache_id = $1
                )
                SELECT g.h FROM g LIMIT $4
            ) AS b
            JOIN paths p ON p.cache_id = $1 AND p.hash_part = b.h JOIN nars n ON n.id = p.nar_id;
            """,
            reader => (Seed: reader.GetString(6), Path: ReadRetained(reader)),
            ct,
            cacheId,
            new TextSet(seedHashParts),
            pushedBefore,
            maxGroup + 1).ConfigureAwait(false);
        return rows.GroupBy(r => r.Seed, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(r => r.Path).ToList(), StringComparer.Ordinal);
    }

    /// <summary>The paths of the cache among <paramref name="hashParts"/>, by hash part, locked for update with <paramref name="lockRows"/>.</summary>
    private Task<IReadOnlyList<RetainedPath>> ReadRetainedAsync(
        DbSession session, long cacheId, IReadOnlyCollection<string> hashParts, DateTimeOffset pushedBefore, bool lockRows, CancellationToken ct) =>
        ReadAllAsync(
            session,
            $"""
            SELECT p.hash_part, p.store_path, p.created_at, p.last_accessed_at, n.file_size, CASE WHEN {IsRootSql("p", 3)} THEN 1 ELSE 0 END
            FROM paths p JOIN nars n ON n.id = p.nar_id
            WHERE p.cache_id = $1 AND p.hash_part IN (SELECT t.h FROM {_dialect.TextSetSource(2, "t")})
            ORDER BY p.hash_part{(lockRows ? _dialect.ForUpdateOf("p") : "")};
            """,
            ReadRetained,
            ct,
            cacheId,
            new TextSet(hashParts),
            pushedBefore);

    /// <summary>A row of hash part, store path, push time, last access, NAR size and root flag.</summary>
    private RetainedPath ReadRetained(DbDataReader reader) =>
        new(
            reader.GetString(0),
            reader.GetString(1),
            _dialect.ReadTime(reader, 2),
            _dialect.ReadTime(reader, 3),
            reader.GetInt64(4),
            Convert.ToInt64(reader.GetValue(5), System.Globalization.CultureInfo.InvariantCulture) != 0);

    /// <summary>Deletes the paths (a group closed under referrers), releases their NARs and records an event of <paramref name="kind"/> for each.</summary>
    private async Task DeleteGroupAsync(
        DbSession session, long cacheId, IReadOnlyList<RetainedPath> members, string kind, string reason, long? tokenId, DateTimeOffset at, CancellationToken ct)
    {
        var hashParts = new TextSet([.. members.Select(m => m.HashPart)]);
        // Every NAR the paths hold is released in one statement, before the rows that count as its holders go; the NAR
        // rows are locked in the order of their ids, as every transaction that releases several takes them.
        await session.ExecuteAsync(
            $"""
            UPDATE nars SET holders = holders - c.n, released_at = CASE WHEN holders = c.n THEN $3 ELSE released_at END
            FROM (
                SELECT n.id, g.n FROM nars n
                JOIN (
                    SELECT p.nar_id, COUNT(*) AS n FROM paths p
                    WHERE p.cache_id = $1 AND p.hash_part IN (SELECT t.h FROM {_dialect.TextSetSource(2, "t")}) GROUP BY p.nar_id
                ) AS g ON g.nar_id = n.id
                ORDER BY n.id{_dialect.ForNoKeyUpdateOf("n")}
            ) AS c
            WHERE nars.id = c.id;
            """,
            ct,
            cacheId,
            hashParts,
            at).ConfigureAwait(false);
        await session.ExecuteAsync(
            $"DELETE FROM paths WHERE cache_id = $1 AND hash_part IN (SELECT t.h FROM {_dialect.TextSetSource(2, "t")});", ct, cacheId, hashParts)
            .ConfigureAwait(false);
        await session.ExecuteAsync(
            $"""
            INSERT INTO events (cache_id, kind, store_path, token_id, at, reason)
            SELECT $1, $2, t.h, CAST($4 AS BIGINT), $5, $6 FROM {_dialect.TextSetSource(3, "t")} ORDER BY t.i;
            """,
            ct,
            cacheId,
            kind,
            new TextSet([.. members.Select(m => m.StorePath)]),
            tokenId,
            at,
            reason).ConfigureAwait(false);
    }
}
