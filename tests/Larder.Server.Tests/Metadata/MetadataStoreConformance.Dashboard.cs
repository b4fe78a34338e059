using Larder.Server.Metadata;
using static Larder.Server.Tests.Metadata.MetadataSamples;

namespace Larder.Server.Tests.Metadata;

/// <summary>What the dashboard's cache page reads beyond search: traffic per hour, the largest paths, pin history.</summary>
public abstract partial class MetadataStoreConformance
{
    private static readonly DateTimeOffset Hour = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Traffic_added_for_the_same_cache_and_hour_by_several_replicas_adds_up()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var other = await store.CreateCacheAsync(Cache(), Ct);

        await store.AddTrafficAsync([(cache.Id, new TrafficHour(Hour, 5, 1, 2, 2000)), (other.Id, new TrafficHour(Hour, 7, 0, 0, 0))], Ct);
        await store.AddTrafficAsync([(cache.Id, new TrafficHour(Hour, 3, 2, 1, 500)), (cache.Id, new TrafficHour(Hour.AddHours(1), 1, 0, 0, 0))], Ct);
        var traffic = await store.ListTrafficAsync(cache.Id, Hour, Ct);

        Assert.Equal([new TrafficHour(Hour, 8, 3, 3, 2500), new TrafficHour(Hour.AddHours(1), 1, 0, 0, 0)], traffic);
        Assert.Equal([new TrafficHour(Hour.AddHours(1), 1, 0, 0, 0)], await store.ListTrafficAsync(cache.Id, Hour.AddHours(1), Ct));
        Assert.Equal([new TrafficHour(Hour, 7, 0, 0, 0)], await store.ListTrafficAsync(other.Id, Hour, Ct));
    }

    [Fact]
    public async Task Traffic_of_a_deleted_cache_is_dropped_and_old_hours_are_deleted()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var gone = await store.CreateCacheAsync(Cache(), Ct);
        await store.DeleteCacheAsync(gone.Id, Ct);

        await store.AddTrafficAsync([(gone.Id, new TrafficHour(Hour, 1, 0, 0, 0)), (cache.Id, new TrafficHour(Hour.AddDays(-40), 1, 0, 0, 0)), (cache.Id, new TrafficHour(Hour, 2, 0, 0, 0))], Ct);
        var deleted = await store.DeleteTrafficBeforeAsync(Hour.AddDays(-31), Ct);

        Assert.Equal(1, deleted);
        Assert.Empty(await store.ListTrafficAsync(gone.Id, Hour.AddDays(-60), Ct));
        Assert.Equal([new TrafficHour(Hour, 2, 0, 0, 0)], await store.ListTrafficAsync(cache.Id, Hour.AddDays(-60), Ct));
    }

    [Fact]
    public async Task Largest_paths_are_the_cache_s_by_nar_size_largest_first_up_to_the_limit()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var other = await store.CreateCacheAsync(Cache(), Ct);
        var sizes = new[] { 3, 1, 5, 2, 4 };
        var committed = new List<(string HashPart, long Size)>();
        foreach (var chunks in sizes)
        {
            var request = Commit(cache.Id, nar: Nar(chunks: chunks));
            await store.CommitNewAsync(request, Ct);
            committed.Add((request.HashPart, request.Nar.NarSize));
        }
        await store.CommitNewAsync(Commit(other.Id, nar: Nar(chunks: 9)), Ct);

        var largest = await store.ListLargestPathsAsync(cache.Id, 3, Ct);

        Assert.Equal(committed.OrderByDescending(c => c.Size).Take(3).Select(c => c.HashPart), largest.Select(p => p.HashPart));
        Assert.Equal([5000L, 4000L, 3000L], largest.Select(p => p.NarSize));
    }

    [Fact]
    public async Task Pin_history_lists_the_newest_revisions_of_all_the_cache_s_pins_first()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var token = await store.CreateTokenAsync(Token(), Ct);
        var first = await CommitChainAsync(store, cache.Id, 1, LongAgo);
        var second = await CommitChainAsync(store, cache.Id, 1, LongAgo);
        await SetPinAsync(store, Pin(cache.Id, "app", first[^1], tokenId: token.Id));
        await SetPinAsync(store, Pin(cache.Id, "tool", second[^1], tokenId: token.Id, at: PinnedAt.AddHours(1)));
        await SetPinAsync(store, Pin(cache.Id, "app", second[^1], tokenId: token.Id, at: PinnedAt.AddHours(2)));

        var history = await store.ListPinHistoryAsync(cache.Id, 2, Ct);

        Assert.Equal([("app", 2), ("tool", 1)], history.Select(h => (h.PinName, h.Revision.Number)));
        Assert.Equal(second[^1].StorePath, history[0].Revision.StorePath);
        Assert.Equal("test token", history[0].Revision.TokenDescription);
        Assert.Equal(3, (await store.ListPinHistoryAsync(cache.Id, 10, Ct)).Count);
    }
}
