using Larder.Server.Metadata;
using static Larder.Server.Tests.Metadata.MetadataSamples;

namespace Larder.Server.Tests.Metadata;

/// <summary>Pins: revisions, keep rules, and protected closures as roots of eviction and deletion.</summary>
public abstract partial class MetadataStoreConformance
{
    private static readonly DateTimeOffset PinnedAt = T0.AddDays(-200);

    private static PinUpdate Pin(long cacheId, string name, CommitRequest path, PinKeep? keep = null, long? tokenId = null, DateTimeOffset? at = null) =>
        new(cacheId, name, path.HashPart, null, null, keep, tokenId, at ?? PinnedAt);

    private static async Task<PinRecord> SetPinAsync(IMetadataStore store, PinUpdate update)
    {
        var change = await store.SetPinAsync(update, Ct);
        return change.Pin ?? throw new InvalidOperationException($"pin refused: {change}");
    }

    [Fact]
    public async Task A_pin_records_each_revision_with_its_token_and_a_rollback_adds_a_revision_naming_the_old_path()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var token = await store.CreateTokenAsync(Token(), Ct);
        var first = await CommitChainAsync(store, cache.Id, 2, LongAgo);
        var second = await CommitChainAsync(store, cache.Id, 2, LongAgo);

        await SetPinAsync(store, Pin(cache.Id, "app", first[^1], tokenId: token.Id));
        await SetPinAsync(store, Pin(cache.Id, "app", second[^1], tokenId: token.Id, at: PinnedAt.AddHours(1)));
        var rolledBack = await SetPinAsync(store, new PinUpdate(cache.Id, "app", null, null, 1, null, token.Id, PinnedAt.AddHours(2)));
        var history = await store.ListPinRevisionsAsync(cache.Id, "app", Ct);

        Assert.Equal(3, rolledBack.Current.Number);
        Assert.Equal(first[^1].StorePath, rolledBack.Current.StorePath);
        Assert.Equal("rollback to revision 1", rolledBack.Current.Note);
        Assert.Equal([3, 2, 1], history.Select(r => r.Number));
        Assert.All(history, r => Assert.Equal("test token", r.TokenDescription));
        Assert.Equal([null, PinnedAt.AddHours(2), PinnedAt.AddHours(1)], history.Select(r => r.SupersededAt));
        Assert.Equal(PinKeep.Default, rolledBack.Keep);
        Assert.Equal(3, (await store.GetPinsVersionAsync(cache.Id, Ct)).Version);
    }

    [Fact]
    public async Task A_pinned_closure_is_never_evicted_and_keep_revisions_releases_the_older_ones()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var old = await CommitChainAsync(store, cache.Id, 3, LongAgo);
        var current = await CommitChainAsync(store, cache.Id, 3, LongAgo);
        await SetPinAsync(store, Pin(cache.Id, "app", old[^1], new PinKeep(2, null, false)));
        await SetPinAsync(store, Pin(cache.Id, "app", current[^1]));

        var whileKept = await store.EvictAsync(Eviction(cache.Id, [old[0].HashPart, current[0].HashPart], LongAgo), Ct);
        var third = await CommitChainAsync(store, cache.Id, 1, LongAgo);
        await SetPinAsync(store, Pin(cache.Id, "app", third[0]));
        var afterRelease = await store.EvictAsync(Eviction(cache.Id, [old[0].HashPart, current[0].HashPart], LongAgo), Ct);

        Assert.Empty(whileKept.Evicted);
        Assert.Equal(old.Select(p => p.HashPart).Reverse(), afterRelease.Evicted.Select(p => p.HashPart));
        Assert.Equal(3, await CountPresentAsync(store, cache.Id, current));
        var history = await store.ListPinRevisionsAsync(cache.Id, "app", Ct);
        Assert.Equal([true, true, false], history.Select(r => r.ReleasedAt is null));
    }

    [Fact]
    public async Task Keep_forever_protects_every_revision_and_removing_the_pin_releases_them()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var paths = new List<CommitRequest>();
        for (var i = 0; i < 4; i++)
        {
            paths.Add((await CommitChainAsync(store, cache.Id, 1, LongAgo))[0]);
            await SetPinAsync(store, Pin(cache.Id, "app", paths[^1], i == 0 ? new PinKeep(null, null, true) : null));
        }

        var kept = await store.EvictAsync(Eviction(cache.Id, paths.Select(p => p.HashPart), LongAgo), Ct);
        Assert.True(await store.DeletePinAsync(cache.Id, "app", T0, Ct));
        var released = await store.EvictAsync(Eviction(cache.Id, paths.Select(p => p.HashPart), LongAgo), Ct);

        Assert.Empty(kept.Evicted);
        Assert.Equal(4, released.Evicted.Count);
        Assert.Null(await store.GetPinAsync(cache.Id, "app", Ct));
        Assert.False(await store.DeletePinAsync(cache.Id, "app", T0, Ct));
    }

    [Fact]
    public async Task Keep_days_releases_a_replaced_revision_once_its_days_ran_out()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var old = await CommitChainAsync(store, cache.Id, 1, LongAgo);
        var current = await CommitChainAsync(store, cache.Id, 1, LongAgo);
        await SetPinAsync(store, Pin(cache.Id, "app", old[0], new PinKeep(null, 7, false)));
        await SetPinAsync(store, Pin(cache.Id, "app", current[0], at: PinnedAt.AddDays(1)));

        Assert.Equal(0, await store.ReleaseLapsedPinRevisionsAsync(cache.Id, PinnedAt.AddDays(7), Ct));
        Assert.Equal(1, await store.ReleaseLapsedPinRevisionsAsync(cache.Id, PinnedAt.AddDays(9), Ct));
        var result = await store.EvictAsync(Eviction(cache.Id, [old[0].HashPart, current[0].HashPart], LongAgo), Ct);

        Assert.Equal([old[0].HashPart], result.Evicted.Select(p => p.HashPart));
    }

    [Fact]
    public async Task Deleting_a_path_a_pin_needs_is_refused_naming_the_pin_even_recursively()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var chain = await CommitChainAsync(store, cache.Id, 3, LongAgo);
        await SetPinAsync(store, Pin(cache.Id, "app", chain[1]));

        var needed = await store.DeletePathAsync(cache.Id, chain[0].HashPart, recursive: true, dryRun: false, "test", null, T0, Ct);
        var top = await store.DeletePathAsync(cache.Id, chain[2].HashPart, recursive: false, dryRun: false, "test", null, T0, Ct);
        var bulk = await store.DeletePathsAsync(cache.Id, [chain[0].HashPart, chain[1].HashPart], "test", null, T0, Ct);

        Assert.False(needed.Deleted);
        Assert.Equal(["app"], needed.PinnedBy);
        Assert.True(top.Deleted);
        Assert.Empty(bulk.Deleted);
        Assert.Equal(2, await CountPresentAsync(store, cache.Id, chain.Take(2)));
    }

    [Fact]
    public async Task A_pin_of_a_path_the_cache_lacks_or_an_unknown_revision_changes_nothing()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var absent = Commit(cache.Id);

        var missing = await store.SetPinAsync(Pin(cache.Id, "app", absent), Ct);
        var rollback = await store.SetPinAsync(new PinUpdate(cache.Id, "app", null, null, 4, null, null, T0), Ct);

        Assert.Null(missing.Pin);
        Assert.Equal(absent.HashPart, missing.MissingPath);
        Assert.True(rollback.UnknownRevision);
        Assert.Empty(await store.ListPinsAsync(cache.Id, Ct));
        Assert.Equal(PinsVersion.Initial, await store.GetPinsVersionAsync(cache.Id, Ct));
    }
}
