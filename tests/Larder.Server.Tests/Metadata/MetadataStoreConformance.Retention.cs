using Larder.Server.Metadata;
using static Larder.Server.Tests.Metadata.MetadataSamples;

namespace Larder.Server.Tests.Metadata;

/// <summary>Retention: settings, least-recently-used order, closure-preserving eviction and deletion of paths.</summary>
public abstract partial class MetadataStoreConformance
{
    private static readonly DateTimeOffset LongAgo = T0.AddDays(-400);

    /// <summary>A chain: the first path references nothing, each next one references the one before.</summary>
    private static async Task<List<CommitRequest>> CommitChainAsync(IMetadataStore store, long cacheId, int length, DateTimeOffset at)
    {
        var chain = new List<CommitRequest>();
        for (var i = 0; i < length; i++)
        {
            var request = Commit(cacheId, references: chain.Count == 0 ? [] : [BaseName(chain[^1].HashPart)], at: at);
            Assert.Equal(CommitOutcome.Committed, (await store.CommitNewAsync(request, Ct)).Outcome);
            chain.Add(request);
        }
        return chain;
    }

    /// <summary>One base path and <paramref name="width"/> paths that each reference it.</summary>
    private static async Task<(CommitRequest Base, List<CommitRequest> Leaves)> CommitFanAsync(IMetadataStore store, long cacheId, int width, DateTimeOffset at)
    {
        var basePath = Commit(cacheId, at: at);
        await store.CommitNewAsync(basePath, Ct);
        var leaves = new List<CommitRequest>();
        for (var i = 0; i < width; i++)
        {
            var leaf = Commit(cacheId, references: [BaseName(basePath.HashPart)], at: at);
            await store.CommitNewAsync(leaf, Ct);
            leaves.Add(leaf);
        }
        return (basePath, leaves);
    }

    private static EvictionRequest Eviction(long cacheId, IEnumerable<string> seeds, DateTimeOffset accessedBy, bool dryRun = false, IReadOnlySet<string>? already = null) =>
        new(cacheId, [.. seeds.Select(s => new EvictionSeed(s, accessedBy))], T0.AddHours(-1), "evicted: test", long.MaxValue, 10_000, dryRun,
            already ?? new HashSet<string>(), T0);

    private static async Task<int> CountPresentAsync(IMetadataStore store, long cacheId, IEnumerable<CommitRequest> paths)
    {
        var hashes = paths.Select(p => p.HashPart).ToList();
        return hashes.Count - (await store.FindMissingAsync(cacheId, hashes, Ct)).Count;
    }

    [Fact]
    public async Task Retention_settings_round_trip_and_start_empty()
    {
        var (store, cache) = await StoreWithCacheAsync();
        Assert.Equal(RetentionSettings.None, await store.GetRetentionAsync(cache.Id, Ct));

        await store.SetRetentionAsync(cache.Id, new RetentionSettings(30, 50L << 30), Ct);
        Assert.Equal(new RetentionSettings(30, 50L << 30), await store.GetRetentionAsync(cache.Id, Ct));

        await store.SetRetentionAsync(cache.Id, new RetentionSettings(null, 7), Ct);
        Assert.Equal(new RetentionSettings(null, 7), await store.GetRetentionAsync(cache.Id, Ct));
    }

    [Fact]
    public async Task Least_recently_used_lists_by_last_access_then_hash_with_a_cursor_and_a_cutoff()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var paths = new List<CommitRequest>();
        for (var i = 0; i < 5; i++)
        {
            var request = Commit(cache.Id, at: LongAgo);
            await store.CommitNewAsync(request, Ct);
            paths.Add(request);
        }
        // Accessed in reverse order: the last pushed is the least recently used.
        for (var i = 0; i < 5; i++)
        {
            await store.TouchPathsAsync([(cache.Id, paths[4 - i].HashPart)], LongAgo.AddDays(i + 1), Ct);
        }

        var first = await store.ListLeastRecentlyUsedAsync(cache.Id, null, null, 2, Ct);
        var rest = await store.ListLeastRecentlyUsedAsync(cache.Id, first[^1], null, 10, Ct);
        var old = await store.ListLeastRecentlyUsedAsync(cache.Id, null, LongAgo.AddDays(3), 10, Ct);

        Assert.Equal([paths[4].HashPart, paths[3].HashPart], first.Select(c => c.HashPart));
        Assert.Equal([paths[2].HashPart, paths[1].HashPart, paths[0].HashPart], rest.Select(c => c.HashPart));
        Assert.Equal(LongAgo.AddDays(1), first[0].LastAccessedAt);
        Assert.Equal([paths[4].HashPart, paths[3].HashPart], old.Select(c => c.HashPart));
    }

    [Fact]
    public async Task Evicting_the_bottom_of_a_deep_chain_takes_the_whole_chain_with_it()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var chain = await CommitChainAsync(store, cache.Id, 60, LongAgo);

        var result = await store.EvictAsync(Eviction(cache.Id, [chain[0].HashPart], LongAgo), Ct);

        Assert.Equal(60, result.Evicted.Count);
        Assert.Equal(chain[0].HashPart, result.Evicted[^1].HashPart);
        Assert.Equal(chain[^1].HashPart, result.Evicted[0].HashPart);
        Assert.Equal(0, await CountPresentAsync(store, cache.Id, chain));
        var events = await store.ListEventsAsync(cache.Id, 200, Ct);
        Assert.Equal(60, events.Count(e => e.Kind == "evict" && e.Reason == "evicted: test"));
    }

    [Fact]
    public async Task A_chain_whose_top_was_accessed_later_stays_whole_and_the_seed_waits_for_that_access()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var chain = await CommitChainAsync(store, cache.Id, 40, LongAgo);
        var later = LongAgo.AddDays(10);
        await store.TouchPathsAsync([(cache.Id, chain[^1].HashPart)], later, Ct);

        var result = await store.EvictAsync(Eviction(cache.Id, [chain[0].HashPart, chain[5].HashPart], LongAgo.AddDays(1)), Ct);

        Assert.Empty(result.Evicted);
        Assert.Equal([later, later], result.Deferred.Select(d => d.AccessedBy));
        Assert.Equal(40, await CountPresentAsync(store, cache.Id, chain));
    }

    [Fact]
    public async Task Evicting_the_base_of_a_wide_fan_takes_every_path_referencing_it()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var (basePath, leaves) = await CommitFanAsync(store, cache.Id, 300, LongAgo);
        var unrelated = Commit(cache.Id, at: LongAgo);
        await store.CommitNewAsync(unrelated, Ct);

        var result = await store.EvictAsync(Eviction(cache.Id, [basePath.HashPart], LongAgo), Ct);

        Assert.Equal(301, result.Evicted.Count);
        Assert.Equal(301 * basePath.Nar.FileSize, result.Evicted.Sum(p => p.StoredBytes));
        Assert.Equal(0, await CountPresentAsync(store, cache.Id, [basePath, .. leaves]));
        Assert.Equal(1, await CountPresentAsync(store, cache.Id, [unrelated]));
    }

    [Fact]
    public async Task A_recently_pushed_dependent_keeps_the_whole_group_and_is_not_retried()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var (basePath, leaves) = await CommitFanAsync(store, cache.Id, 20, LongAgo);
        var fresh = Commit(cache.Id, references: [BaseName(basePath.HashPart)], at: T0.AddMinutes(-5));
        await store.CommitNewAsync(fresh, Ct);

        var result = await store.EvictAsync(Eviction(cache.Id, [basePath.HashPart, leaves[0].HashPart], T0), Ct);

        Assert.Equal([leaves[0].HashPart], result.Evicted.Select(p => p.HashPart));
        Assert.Empty(result.Deferred);
        Assert.Equal(1, await CountPresentAsync(store, cache.Id, [basePath]));
    }

    [Fact]
    public async Task A_group_larger_than_the_limit_stays()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var (basePath, _) = await CommitFanAsync(store, cache.Id, 12, LongAgo);

        var result = await store.EvictAsync(Eviction(cache.Id, [basePath.HashPart], LongAgo) with { MaxGroup = 10 }, Ct);

        Assert.Empty(result.Evicted);
        Assert.Equal(1, await CountPresentAsync(store, cache.Id, [basePath]));
    }

    [Fact]
    public async Task Eviction_stops_taking_seeds_once_enough_bytes_are_freed()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var paths = new List<CommitRequest>();
        for (var i = 0; i < 4; i++)
        {
            paths.Add(Commit(cache.Id, at: LongAgo));
            await store.CommitNewAsync(paths[^1], Ct);
        }

        var result = await store.EvictAsync(
            Eviction(cache.Id, paths.Select(p => p.HashPart), LongAgo) with { BytesToFree = paths[0].Nar.FileSize + 1 }, Ct);

        Assert.Equal(2, result.SeedsHandled);
        Assert.Equal(2, result.Evicted.Count);
        Assert.Equal(2, await CountPresentAsync(store, cache.Id, paths));
    }

    [Fact]
    public async Task A_dry_run_eviction_changes_nothing_and_skips_paths_already_planned()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var chain = await CommitChainAsync(store, cache.Id, 3, LongAgo);

        var all = await store.EvictAsync(Eviction(cache.Id, [chain[0].HashPart], LongAgo, dryRun: true), Ct);
        var rest = await store.EvictAsync(
            Eviction(cache.Id, [chain[0].HashPart], LongAgo, dryRun: true, already: new HashSet<string> { chain[2].HashPart }), Ct);

        Assert.Equal(3, all.Evicted.Count);
        Assert.Equal([chain[1].HashPart, chain[0].HashPart], rest.Evicted.Select(p => p.HashPart));
        Assert.Equal(3, await CountPresentAsync(store, cache.Id, chain));
        Assert.DoesNotContain(await store.ListEventsAsync(cache.Id, 10, Ct), e => e.Kind == "evict");
    }

    [Fact]
    public async Task After_evictions_every_remaining_path_has_its_references()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var chain = await CommitChainAsync(store, cache.Id, 10, LongAgo);
        var (basePath, leaves) = await CommitFanAsync(store, cache.Id, 10, LongAgo);
        var bridge = Commit(cache.Id, references: [BaseName(chain[4].HashPart), BaseName(basePath.HashPart)], at: LongAgo);
        await store.CommitNewAsync(bridge, Ct);
        await store.TouchPathsAsync([(cache.Id, bridge.HashPart)], LongAgo.AddDays(5), Ct);

        await store.EvictAsync(Eviction(cache.Id, [.. chain.Select(p => p.HashPart), basePath.HashPart, .. leaves.Select(p => p.HashPart)], LongAgo), Ct);

        var everything = chain.Concat(leaves).Append(basePath).Append(bridge).ToList();
        foreach (var path in everything)
        {
            if (await store.GetPathAsync(cache.Id, path.HashPart, Ct) is { } kept)
            {
                var references = kept.Path.References.Select(r => r[..32]).Where(h => h != path.HashPart).ToList();
                Assert.Empty(await store.FindMissingAsync(cache.Id, references, Ct));
            }
        }
        // The bridge keeps chain[0..4] and the base; the rest of the chain (5..9) and the other leaves leave.
        Assert.Equal(5, await CountPresentAsync(store, cache.Id, chain));
        Assert.Equal(1, await CountPresentAsync(store, cache.Id, [basePath]));
        Assert.Equal(0, await CountPresentAsync(store, cache.Id, leaves));
    }

    [Fact]
    public async Task Deleting_a_referenced_path_is_refused_naming_its_direct_dependents()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var chain = await CommitChainAsync(store, cache.Id, 3, T0);

        var refused = await store.DeletePathAsync(cache.Id, chain[0].HashPart, recursive: false, dryRun: false, "deleted by token 7 (t)", 7, T0, Ct);

        Assert.False(refused.Deleted);
        Assert.Equal([chain[1].StorePath], refused.DirectDependents);
        Assert.Equal(3, await CountPresentAsync(store, cache.Id, chain));
    }

    [Fact]
    public async Task Deleting_recursively_removes_the_path_with_its_dependents_and_records_the_token()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var chain = await CommitChainAsync(store, cache.Id, 3, T0);

        var dry = await store.DeletePathAsync(cache.Id, chain[0].HashPart, recursive: true, dryRun: true, "deleted by token 7 (t)", 7, T0, Ct);
        Assert.Equal(3, await CountPresentAsync(store, cache.Id, chain));
        var done = await store.DeletePathAsync(cache.Id, chain[0].HashPart, recursive: true, dryRun: false, "deleted by token 7 (t)", 7, T0, Ct);

        Assert.False(dry.Deleted);
        Assert.Equal(chain.Select(p => p.StorePath).Reverse(), dry.Group.Select(p => p.StorePath));
        Assert.True(done.Deleted);
        Assert.Equal(dry.Group, done.Group);
        Assert.Equal(0, await CountPresentAsync(store, cache.Id, chain));
        var events = (await store.ListEventsAsync(cache.Id, 10, Ct)).Where(e => e.Kind == "delete").ToList();
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal(("deleted by token 7 (t)", 7L), (e.Reason!, e.TokenId!.Value)));
    }

    [Fact]
    public async Task Deleting_an_unknown_or_unreferenced_path()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var alone = Commit(cache.Id);
        await store.CommitNewAsync(alone, Ct);

        var unknown = await store.DeletePathAsync(cache.Id, HashPart(), recursive: false, dryRun: false, "r", null, T0, Ct);
        var deleted = await store.DeletePathAsync(cache.Id, alone.HashPart, recursive: false, dryRun: false, "r", null, T0, Ct);

        Assert.Null(unknown.Path);
        Assert.True(deleted.Deleted);
        Assert.Null(await store.GetPathAsync(cache.Id, alone.HashPart, Ct));
        Assert.Null(await store.GetNarByFileHashAsync(cache.Id, alone.Nar.FileHash, Ct));
    }

    [Fact]
    public async Task Retention_facts_list_dependents_roots_and_how_many_paths_were_used_less_recently()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var chain = await CommitChainAsync(store, cache.Id, 3, LongAgo);
        var older = Commit(cache.Id, at: LongAgo.AddDays(-1));
        await store.CommitNewAsync(older, Ct);
        var fresh = Commit(cache.Id, references: [BaseName(chain[1].HashPart)], at: T0);
        await store.CommitNewAsync(fresh, Ct);

        var facts = await store.GetRetentionFactsAsync(cache.Id, chain[1].HashPart, T0.AddHours(-1), 100, Ct);
        var none = await store.GetRetentionFactsAsync(cache.Id, HashPart(), T0.AddHours(-1), 100, Ct);

        Assert.NotNull(facts);
        Assert.Null(none);
        Assert.Equal(chain[1].StorePath, facts.Path.StorePath);
        Assert.False(facts.Path.IsRoot);
        Assert.Equal(new[] { chain[2].HashPart, fresh.HashPart }.Order(StringComparer.Ordinal), facts.Dependents.Select(d => d.HashPart).Order(StringComparer.Ordinal));
        Assert.True(facts.Dependents.Single(d => d.HashPart == fresh.HashPart).IsRoot);
        Assert.False(facts.MoreDependents);
        Assert.Equal(1 + chain.Select(p => p.HashPart).Count(h => string.CompareOrdinal(h, chain[1].HashPart) < 0), facts.LessRecentlyUsed);
    }

    [Fact]
    public async Task Pushes_racing_evictions_end_fully_present_or_absent_and_never_leave_a_dangling_reference()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var bases = new List<CommitRequest>();
        for (var i = 0; i < 40; i++)
        {
            bases.Add(Commit(cache.Id, at: LongAgo));
            await store.CommitNewAsync(bases[^1], Ct);
        }
        var pushes = Enumerable.Range(0, 40)
            .Select(i => Commit(cache.Id, references: [BaseName(bases[(i * 7) % bases.Count].HashPart)], at: LongAgo))
            .ToList();

        var evicting = Task.Run(async () =>
        {
            foreach (var basePath in bases)
            {
                await store.EvictAsync(Eviction(cache.Id, [basePath.HashPart], T0), Ct);
            }
        });
        var pushing = Task.Run(async () =>
        {
            var outcomes = new List<CommitOutcome>();
            foreach (var push in pushes)
            {
                outcomes.Add((await store.CommitNewAsync(push, Ct)).Outcome);
            }
            return outcomes;
        });
        await evicting;
        var outcomes = await pushing;

        Assert.All(outcomes, o => Assert.True(o is CommitOutcome.Committed or CommitOutcome.MissingReferences, $"unexpected outcome {o}"));
        foreach (var path in bases.Concat(pushes))
        {
            if (await store.GetPathAsync(cache.Id, path.HashPart, Ct) is { } present)
            {
                var references = present.Path.References.Select(r => r[..32]).Where(h => h != path.HashPart).ToList();
                Assert.Empty(await store.FindMissingAsync(cache.Id, references, Ct));
            }
        }
        for (var i = 0; i < pushes.Count; i++)
        {
            if (outcomes[i] == CommitOutcome.MissingReferences)
            {
                Assert.Null(await store.GetPathAsync(cache.Id, pushes[i].HashPart, Ct));
            }
        }
    }
}
