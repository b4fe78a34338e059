using Larder.Server.BinaryCache.Serving;
using Larder.Server.Configuration;
using Larder.Server.Maintenance.Gc;
using Larder.Server.Metadata;
using Larder.Server.Tests.Maintenance;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Larder.Server.Tests.Metadata.MetadataSamples;

namespace Larder.Server.Tests.Metadata;

/// <summary>The <see cref="GarbageCollector"/> on each backend: age and size limits, roots, dry runs, the lease.</summary>
public abstract partial class MetadataStoreConformance
{
    private static GarbageCollector Collector(IMetadataStore store, DateTimeOffset now, RetentionOptions? defaults = null) => new(
        store,
        new ServingChanges(new NarInfoMemory(TimeProvider.System), store, NullLogger<ServingChanges>.Instance),
        Options.Create(new LarderOptions { Retention = defaults ?? new RetentionOptions() }),
        new ManualTimeProvider(now),
        NullLogger<GarbageCollector>.Instance);

    private static async Task<CommitRequest> CommitAccessedAsync(IMetadataStore store, long cacheId, DateTimeOffset accessed, params CommitRequest[] references)
    {
        var request = Commit(cacheId, references: [.. references.Select(r => BaseName(r.HashPart))], at: LongAgo);
        await store.CommitNewAsync(request, Ct);
        await store.TouchPathsAsync([(cacheId, request.HashPart)], accessed, Ct);
        return request;
    }

    [Fact]
    public async Task Gc_evicts_paths_unused_for_the_retention_days_and_keeps_the_rest()
    {
        var (store, cache) = await StoreWithCacheAsync();
        await store.SetRetentionAsync(cache.Id, new RetentionSettings(30, null), Ct);
        var stale = await CommitAccessedAsync(store, cache.Id, T0.AddDays(-31));
        var staleDependent = await CommitAccessedAsync(store, cache.Id, T0.AddDays(-40), stale);
        var used = await CommitAccessedAsync(store, cache.Id, T0.AddDays(-29));
        var keptBase = await CommitAccessedAsync(store, cache.Id, T0.AddDays(-90));
        await CommitAccessedAsync(store, cache.Id, T0.AddDays(-1), keptBase);

        var result = await Collector(store, T0).RunCacheAsync(cache, dryRun: false, Ct);

        Assert.NotNull(result);
        Assert.Equal(2, result.PathsEvicted);
        Assert.Equal([staleDependent.StorePath, stale.StorePath], result.Listed.Select(e => e.Path.StorePath));
        Assert.All(result.Listed, e => Assert.Equal("evicted: retention 30 days", e.Reason));
        Assert.Equal(3, await CountPresentAsync(store, cache.Id, [used, keptBase, stale, staleDependent]) + 1);
        Assert.Contains(await store.ListEventsAsync(cache.Id, 20, Ct), e => e.Kind == "evict" && e.Reason == "evicted: retention 30 days");
    }

    [Fact]
    public async Task Gc_under_max_size_evicts_closures_whole_in_the_order_of_their_latest_access_in_one_run()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var size = Nar().FileSize;
        // A chain whose bottom is the least recently used path, but whose top was used after the path "older".
        var chain = new List<CommitRequest> { await CommitAccessedAsync(store, cache.Id, T0.AddDays(-50)) };
        for (var i = 1; i < 5; i++)
        {
            chain.Add(await CommitAccessedAsync(store, cache.Id, T0.AddDays(-50 + (i * 5)), chain[^1]));
        }
        var older = await CommitAccessedAsync(store, cache.Id, T0.AddDays(-33));
        var newer = await CommitAccessedAsync(store, cache.Id, T0.AddDays(-2));
        var newest = await CommitAccessedAsync(store, cache.Id, T0.AddDays(-1));
        await store.SetRetentionAsync(cache.Id, new RetentionSettings(null, 3 * size), Ct);

        var result = await Collector(store, T0).RunCacheAsync(cache, dryRun: false, Ct);

        Assert.NotNull(result);
        Assert.Equal([older.StorePath, .. chain.Select(p => p.StorePath).Reverse()], result.Listed.Select(e => e.Path.StorePath));
        Assert.Equal(6, result.PathsEvicted);
        Assert.Equal(6 * size, result.BytesFreed);
        Assert.Equal(2, await CountPresentAsync(store, cache.Id, [newer, newest]));
        Assert.All(result.Listed, e => Assert.Equal("evicted: max-size", e.Reason));
    }

    [Fact]
    public async Task Gc_never_evicts_a_recent_push_nor_what_it_references()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var dependency = await CommitAccessedAsync(store, cache.Id, T0.AddDays(-100));
        var pushedNow = Commit(cache.Id, references: [BaseName(dependency.HashPart)], at: T0.AddMinutes(-10));
        await store.CommitNewAsync(pushedNow, Ct);
        var loose = await CommitAccessedAsync(store, cache.Id, T0.AddDays(-100));
        await store.SetRetentionAsync(cache.Id, new RetentionSettings(1, 1), Ct);

        var result = await Collector(store, T0).RunCacheAsync(cache, dryRun: false, Ct);

        Assert.NotNull(result);
        Assert.Equal([loose.StorePath], result.Listed.Select(e => e.Path.StorePath));
        Assert.Equal(2, await CountPresentAsync(store, cache.Id, [dependency, pushedNow]));
    }

    [Fact]
    public async Task Gc_dry_run_answers_what_the_real_run_then_does_and_changes_nothing()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var chain = await CommitChainAsync(store, cache.Id, 4, LongAgo);
        var loose = await CommitAccessedAsync(store, cache.Id, T0.AddDays(-3));
        await store.SetRetentionAsync(cache.Id, new RetentionSettings(10, Nar().FileSize), Ct);
        var collector = Collector(store, T0);

        var dry = await collector.RunCacheAsync(cache, dryRun: true, Ct);
        Assert.Equal(5, await CountPresentAsync(store, cache.Id, [.. chain, loose]));
        var real = await collector.RunCacheAsync(cache, dryRun: false, Ct);

        Assert.NotNull(dry);
        Assert.NotNull(real);
        Assert.True(dry.DryRun);
        Assert.Equal(real.Listed.Select(e => (e.Path.StorePath, e.Reason)), dry.Listed.Select(e => (e.Path.StorePath, e.Reason)));
        Assert.Equal((4L, 4 * Nar().FileSize), (dry.PathsEvicted, dry.BytesFreed));
        Assert.Equal(1, await CountPresentAsync(store, cache.Id, [.. chain, loose]));
    }

    [Fact]
    public async Task Gc_applies_the_server_default_only_to_caches_without_their_own_setting()
    {
        var store = await CreateStoreAsync();
        var defaulted = await store.CreateCacheAsync(Cache(), Ct);
        var own = await store.CreateCacheAsync(Cache(), Ct);
        await store.SetRetentionAsync(own.Id, new RetentionSettings(365, null), Ct);
        var inDefaulted = await CommitAccessedAsync(store, defaulted.Id, T0.AddDays(-60));
        var inOwn = await CommitAccessedAsync(store, own.Id, T0.AddDays(-60));

        Assert.True(await Collector(store, T0, new RetentionOptions { Days = 30 }).RunAllAsync(Ct));

        Assert.Equal(0, await CountPresentAsync(store, defaulted.Id, [inDefaulted]));
        Assert.Equal(1, await CountPresentAsync(store, own.Id, [inOwn]));
    }

    [Fact]
    public async Task Gc_without_a_policy_keeps_everything()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var old = await CommitAccessedAsync(store, cache.Id, T0.AddDays(-3000));

        var result = await Collector(store, T0).RunCacheAsync(cache, dryRun: false, Ct);

        Assert.Equal(0, result!.PathsEvicted);
        Assert.Equal(1, await CountPresentAsync(store, cache.Id, [old]));
    }

    [Fact]
    public async Task Gc_does_not_run_while_another_replica_holds_the_lease()
    {
        var (store, cache) = await StoreWithCacheAsync();
        await store.SetRetentionAsync(cache.Id, new RetentionSettings(1, null), Ct);
        var old = await CommitAccessedAsync(store, cache.Id, T0.AddDays(-3000));
        Assert.True(await store.TryTakeLeaseAsync(GarbageCollector.LeaseName, "other-replica", T0, TimeSpan.FromMinutes(5), Ct));

        Assert.Null(await Collector(store, T0).RunCacheAsync(cache, dryRun: false, Ct));
        Assert.False(await Collector(store, T0).RunAllAsync(Ct));
        Assert.NotNull(await Collector(store, T0).RunCacheAsync(cache, dryRun: true, Ct));
        Assert.Equal(1, await CountPresentAsync(store, cache.Id, [old]));
    }
}
