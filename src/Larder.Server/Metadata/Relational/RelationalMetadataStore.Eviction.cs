namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    /// <inheritdoc />
    /// <remarks>
    /// Where the dialect <see cref="SqlDialect.ReadsGroupsRecursively"/>, a batch is first planned from one read of every
    /// seed's group, then every planned path is locked in one statement and the plan is checked under the locks (same
    /// rows, no new referrer outside it, no pin) before it is deleted in one go: a handful of round trips for the whole
    /// batch. When the check fails (a push, an access or a pin changed a group meanwhile), the batch is evicted seed by
    /// seed instead, each group found by locking before looking: the seed's row is locked, then the paths that reference
    /// locked rows are read and locked, level by level. A commit of a new referrer holds its references for share until
    /// it commits, so it either committed before a level was read (and is found) or waits and then finds its reference
    /// gone (and fails with missing references): no path is left referencing an evicted one.
    /// </remarks>
    public Task<EvictionResult> EvictAsync(EvictionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.DryRun)
        {
            return RunAsync((session, ct) => EvictSeedBySeedAsync(session, request, ct), cancellationToken);
        }
        return RunWriteAsync(
            async (session, ct) =>
                (_dialect.ReadsGroupsRecursively ? await EvictPlannedAsync(session, request, ct).ConfigureAwait(false) : null)
                ?? await EvictSeedBySeedAsync(session, request, ct).ConfigureAwait(false),
            cancellationToken);
    }

    /// <summary>Evicts the batch seed by seed, each group locked level by level and deleted as soon as it is found (nothing on a dry run).</summary>
    private Task<EvictionResult> EvictSeedBySeedAsync(DbSession session, EvictionRequest request, CancellationToken ct) =>
        WalkSeedsAsync(
            request,
            (seedHashPart, isGone) => CollectEvictableGroupAsync(
                session, request.CacheId, seedHashPart, isGone, request.MaxGroup, request.PushedBefore, lockRows: !request.DryRun, ct),
            group => request.DryRun
                ? Task.CompletedTask
                : DeleteGroupAsync(session, request.CacheId, group, "evict", request.Reason, null, request.At, ct));

    /// <summary>
    /// Plans the batch from one unlocked read of every seed's group, then locks and checks the plan and deletes it; null
    /// (nothing deleted) when the check finds that a group changed since the read.
    /// </summary>
    private async Task<EvictionResult?> EvictPlannedAsync(DbSession session, EvictionRequest request, CancellationToken ct)
    {
        var reads = await ReadGroupsAsync(
            session, request.CacheId, [.. request.Seeds.Select(s => s.HashPart).Distinct(StringComparer.Ordinal)], request.MaxGroup, request.PushedBefore, ct)
            .ConfigureAwait(false);
        var planned = new List<IReadOnlyList<RetainedPath>>();
        var result = await WalkSeedsAsync(
            request,
            (seedHashPart, isGone) =>
            {
                var read = reads.TryGetValue(seedHashPart, out var group) ? group : [];
                return Task.FromResult(
                    UnlockedVerdict(read, seedHashPart, isGone, request.MaxGroup)
                    // The seed last, so that the ordering below knows where the group starts.
                    ?? new GroupOutcome([.. read.Where(m => !isGone(m.HashPart)).OrderBy(m => m.HashPart == seedHashPart)], null, false));
            },
            group =>
            {
                planned.Add(group);
                return Task.CompletedTask;
            }).ConfigureAwait(false);
        if (planned.Count == 0)
        {
            return result;
        }

        var expected = planned.SelectMany(g => g).ToDictionary(m => m.HashPart, StringComparer.Ordinal);
        var locked = await ReadRetainedAsync(session, request.CacheId, expected.Keys, request.PushedBefore, lockRows: true, ct).ConfigureAwait(false);
        if (locked.Count != expected.Count || locked.Any(m => m.IsRoot || !expected.TryGetValue(m.HashPart, out var before) || before != m))
        {
            return null;
        }
        var (referrers, pinned) = await ReadReferrersAndPinsAsync(session, request.CacheId, expected.Keys, ct).ConfigureAwait(false);
        if (pinned.Count > 0 || referrers.Any(r => !expected.ContainsKey(r.Referrer)))
        {
            return null;
        }
        List<RetainedPath> evicted = [.. planned.SelectMany(group => DependentsFirst(group[^1].HashPart, group, referrers))];
        await DeleteGroupAsync(session, request.CacheId, evicted, "evict", request.Reason, null, request.At, ct).ConfigureAwait(false);
        return result with { Evicted = evicted };
    }

    /// <summary>
    /// Takes the seeds in order until the bytes to free are freed: <paramref name="findGroup"/> gives a seed's group
    /// (skipping the paths the predicate names gone), and a group that can go, none of it accessed later than the seed
    /// allows, is handed to <paramref name="evict"/>; a group accessed later waits for that access and goes before the
    /// first later seed.
    /// </summary>
    private static async Task<EvictionResult> WalkSeedsAsync(
        EvictionRequest request, Func<string, Func<string, bool>, Task<GroupOutcome>> findGroup, Func<IReadOnlyList<RetainedPath>, Task> evict)
    {
        var evictedHere = new HashSet<string>(StringComparer.Ordinal);
        bool IsGone(string hashPart) => evictedHere.Contains(hashPart) || request.AlreadyEvicted.Contains(hashPart);
        var evicted = new List<RetainedPath>();
        // Ties of the latest access go to the seed used least recently itself: in a chain, the one taking the most with it.
        var waiting = new PriorityQueue<EvictionSeed, (DateTimeOffset, DateTimeOffset, string)>();
        var freed = 0L;
        var handled = 0;
        foreach (var seed in request.Seeds)
        {
            // A seed deferred to an access time the walk has now reached goes before this one.
            while (freed < request.BytesToFree && waiting.TryPeek(out var due, out _) && due.AccessedBy <= seed.AccessedBy)
            {
                await TryEvictAsync(waiting.Dequeue()).ConfigureAwait(false);
            }
            if (freed >= request.BytesToFree)
            {
                break;
            }
            handled++;
            await TryEvictAsync(seed).ConfigureAwait(false);
        }
        return new EvictionResult(handled, evicted, [.. waiting.UnorderedItems.Select(item => item.Element)]);

        async Task TryEvictAsync(EvictionSeed seed)
        {
            if (IsGone(seed.HashPart))
            {
                return;
            }
            var group = await findGroup(seed.HashPart, IsGone).ConfigureAwait(false);
            if (group.Blocker is not null || group.TooLarge || group.Members.Count == 0)
            {
                return;
            }
            var latest = group.Members.Max(m => m.LastAccessedAt);
            if (latest > seed.AccessedBy)
            {
                waiting.Enqueue(seed with { AccessedBy = latest }, (latest, seed.AccessedBy, seed.HashPart));
                return;
            }
            await evict(group.Members).ConfigureAwait(false);
            evictedHere.UnionWith(group.Members.Select(m => m.HashPart));
            evicted.AddRange(group.Members);
            freed += group.Members.Sum(m => m.StoredBytes);
        }
    }
}
