using Larder.Server.Metadata;
using static Larder.Server.Tests.Metadata.MetadataSamples;

namespace Larder.Server.Tests.Metadata;

public abstract partial class MetadataStoreConformance
{
    private static readonly DateTimeOffset Later = T0.AddDays(1);
    private static readonly DateTimeOffset Far = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_path_that_a_remaining_path_references_is_kept()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var dependency = Commit(cache.Id);
        var dependent = Commit(cache.Id, references: [BaseName(dependency.HashPart)]);
        await store.CommitNewAsync(dependency, Ct);
        await store.CommitNewAsync(dependent, Ct);

        var alone = await store.DeletePathsAsync(cache.Id, [dependency.HashPart], "test", null, T0, Ct);
        var together = await store.DeletePathsAsync(cache.Id, [dependency.HashPart, dependent.HashPart, HashPart()], "test", null, T0, Ct);

        Assert.Empty(alone.Deleted);
        Assert.Equal([dependency.HashPart], alone.KeptAsReferenced);
        Assert.Equal(new[] { dependency.HashPart, dependent.HashPart }.Order(StringComparer.Ordinal), together.Deleted);
        Assert.Empty(together.KeptAsReferenced);
        Assert.Null(await store.GetPathAsync(cache.Id, dependency.HashPart, Ct));
    }

    [Fact]
    public async Task A_nar_is_reaped_only_after_its_last_path_goes_and_the_grace_passes()
    {
        var store = await CreateStoreAsync();
        var a = await store.CreateCacheAsync(Cache(), Ct);
        var b = await store.CreateCacheAsync(Cache(), Ct);
        var nar = Nar();
        var inA = Commit(a.Id, nar: nar);
        var inB = Commit(b.Id, inA.HashPart, nar);
        await store.CommitNewAsync(inA, Ct);
        await store.CommitNewAsync(inB, Ct);

        await store.DeletePathsAsync(a.Id, [inA.HashPart], "test", null, T0.AddMinutes(1), Ct);
        Assert.Equal(0, await store.ReapNarsAsync(Later, Later, 10, Ct));
        await store.DeletePathsAsync(b.Id, [inB.HashPart], "test", null, T0.AddMinutes(2), Ct);
        Assert.Equal(0, await store.ReapNarsAsync(T0.AddMinutes(2), Later, 10, Ct));
        Assert.Equal(0, await store.ReapChunksAsync(Later, Later, 10, Ct));

        Assert.Equal(1, await store.ReapNarsAsync(T0.AddMinutes(3), Later, 10, Ct));
        Assert.Equal([nar.ListingKey!], await store.ListDueBlobDeletionsAsync(Later, 10, Ct));
        Assert.Equal(0, await store.ReapChunksAsync(Later, Later, 10, Ct));
        Assert.Equal(1, await store.ReapChunksAsync(Later.AddSeconds(1), Later, 10, Ct));
        Assert.Equal(
            new[] { nar.ListingKey!, nar.Chunks[0].StorageKey }.Order(StringComparer.Ordinal),
            (await store.ListDueBlobDeletionsAsync(Later, 10, Ct)).Order(StringComparer.Ordinal));
        Assert.Null(await store.GetNarByNarHashAsync(nar.NarHash, Ct));
    }

    [Fact]
    public async Task A_released_nar_committed_again_before_the_reaper_is_kept()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var first = Commit(cache.Id);
        await store.CommitNewAsync(first, Ct);
        await store.DeletePathsAsync(cache.Id, [first.HashPart], "test", null, T0, Ct);

        await store.CommitPathAsync(Commit(cache.Id, nar: first.Nar, at: T0.AddMinutes(1)), Ct);

        Assert.Equal(0, await store.ReapNarsAsync(Later, Later, 10, Ct));
        Assert.NotNull(await store.GetNarByNarHashAsync(first.Nar.NarHash, Ct));
    }

    [Fact]
    public async Task Deleting_a_cache_releases_its_nars_staged_uploads_and_build_logs()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var committed = Commit(cache.Id);
        await store.CommitNewAsync(committed, Ct);
        var staged = await store.StageNewAsync(Staged(cache.Id, "nar/s.nar"), Ct);
        await store.RecordBlobIntentsAsync(["logs/ab/log-1.log"], Far, Ct);
        await store.PutBuildLogAsync(cache.Id, "abc-x.drv", "logs/ab/log-1.log", Ct);

        Assert.True(await store.DeleteCacheAsync(cache.Id, Ct));

        Assert.Equal(1, await store.ReapNarsAsync(Far, Later, 10, Ct));
        Assert.Equal(2, await store.ReapChunksAsync(Far, Later, 10, Ct));
        var due = await store.ListDueBlobDeletionsAsync(Far, 10, Ct);
        Assert.Equal(
            new[] { committed.Nar.ListingKey!, committed.Nar.Chunks[0].StorageKey, staged.ListingKey!, staged.Chunks[0].StorageKey, "logs/ab/log-1.log" }
                .Order(StringComparer.Ordinal),
            due.Order(StringComparer.Ordinal));
        Assert.False(await store.DeleteCacheAsync(cache.Id, Ct));
    }

    [Fact]
    public async Task A_new_chunk_whose_blob_was_never_announced_is_refused()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var request = Commit(cache.Id);

        var e = await Assert.ThrowsAsync<UnknownChunksException>(() => store.CommitPathAsync(request, Ct));

        Assert.Equal([request.Nar.Chunks[0].Hash], e.Hashes);

        Assert.Null(await store.GetPathAsync(cache.Id, request.HashPart, Ct));
        Assert.Null(await store.GetNarByNarHashAsync(request.Nar.NarHash, Ct));
    }

    [Fact]
    public async Task Completed_blob_deletions_leave_the_queue_and_claimed_intents_never_enter_it()
    {
        var (store, cache) = await StoreWithCacheAsync();
        await store.RecordBlobIntentsAsync(["chunks/ab/orphan.zst"], T0.AddHours(1), Ct);
        await store.CommitNewAsync(Commit(cache.Id), Ct);

        var due = await store.ListDueBlobDeletionsAsync(Later, 10, Ct);
        await store.CompleteBlobDeletionsAsync(due, Later, Ct);

        Assert.Equal(["chunks/ab/orphan.zst"], due);
        Assert.Empty(await store.ListDueBlobDeletionsAsync(Later, 10, Ct));
    }

    [Fact]
    public async Task A_lease_is_held_by_one_holder_until_released_or_expired()
    {
        var store = await CreateStoreAsync();

        Assert.True(await store.TryTakeLeaseAsync("job", "a", T0, TimeSpan.FromMinutes(5), Ct));
        Assert.False(await store.TryTakeLeaseAsync("job", "b", T0.AddMinutes(1), TimeSpan.FromMinutes(5), Ct));
        Assert.True(await store.TryTakeLeaseAsync("job", "a", T0.AddMinutes(4), TimeSpan.FromMinutes(5), Ct));
        Assert.False(await store.TryTakeLeaseAsync("job", "b", T0.AddMinutes(8), TimeSpan.FromMinutes(5), Ct));
        Assert.True(await store.TryTakeLeaseAsync("job", "b", T0.AddMinutes(10), TimeSpan.FromMinutes(5), Ct));
        await store.ReleaseLeaseAsync("job", "a", Ct);
        Assert.False(await store.TryTakeLeaseAsync("job", "a", T0.AddMinutes(11), TimeSpan.FromMinutes(5), Ct));
        await store.ReleaseLeaseAsync("job", "b", Ct);
        Assert.True(await store.TryTakeLeaseAsync("job", "a", T0.AddMinutes(11), TimeSpan.FromMinutes(5), Ct));
    }

    /// <summary>
    /// What migration 2 must make of the version-1 sample every backend's test loads: cache <paramref name="cacheId"/>
    /// with two paths (<paramref name="dependent"/> referencing <paramref name="dependency"/>) on NAR <c>sha256:used</c>
    /// (chunk <c>chunks/used.zst</c>, also named by a staged upload), and NAR <c>sha256:orphan</c> that nothing uses.
    /// </summary>
    internal static async Task AssertVersion1DataCarriedOverAsync(IMetadataStore store, long cacheId, string dependency, string dependent)
    {
        var top = await store.GetPathAsync(cacheId, dependent, Ct);
        Assert.Equal("chunks/used.zst", Assert.Single(top!.Nar.Chunks).StorageKey);
        Assert.Equal("chunks/used.zst", Assert.Single((await store.GetStagedNarAsync(cacheId, "nar/x.nar", Ct))!.Chunks).StorageKey);
        Assert.Equal([dependency], (await store.DeletePathsAsync(cacheId, [dependency], "test", null, Far, Ct)).KeptAsReferenced);

        Assert.Equal(1, await store.ReapNarsAsync(Far, Far, 10, Ct));
        Assert.Equal(1, await store.ReapChunksAsync(Far.AddSeconds(1), Far, 10, Ct));
        Assert.Equal(["chunks/orphan.zst", "listings/orphan.ls"], (await store.ListDueBlobDeletionsAsync(Far, 10, Ct)).Order(StringComparer.Ordinal));
        await store.DeleteStagedNarAsync((await store.GetStagedNarAsync(cacheId, "nar/x.nar", Ct))!.Id, Ct);
        Assert.Equal(0, await store.ReapChunksAsync(Far.AddYears(1), Far, 10, Ct));
    }
}
