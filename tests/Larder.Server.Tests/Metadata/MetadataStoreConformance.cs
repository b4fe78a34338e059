using Larder.Server.Metadata;
using static Larder.Server.Tests.Metadata.MetadataSamples;

namespace Larder.Server.Tests.Metadata;

/// <summary>
/// The behaviour every <see cref="IMetadataStore"/> must have. Subclass it per backend and implement
/// <see cref="CreateStoreAsync"/> to return a fresh, migrated, empty store (each test calls it once).
/// </summary>
public abstract partial class MetadataStoreConformance
{
    /// <summary>A new store with an empty, migrated schema.</summary>
    protected abstract Task<IMetadataStore> CreateStoreAsync();

    private static CancellationToken Ct => CancellationToken.None;

    private async Task<(IMetadataStore Store, CacheRecord Cache)> StoreWithCacheAsync(bool isPublic = false)
    {
        var store = await CreateStoreAsync();
        var cache = await store.CreateCacheAsync(Cache(isPublic: isPublic), Ct);
        return (store, cache);
    }

    [Fact]
    public async Task Migrate_twice_is_harmless()
    {
        var store = await CreateStoreAsync();
        await store.MigrateAsync(Ct);
        await store.MigrateAsync(Ct);
        Assert.NotNull(await store.CreateCacheAsync(Cache(), Ct));
    }

    [Fact]
    public async Task CreateCache_assigns_an_id_and_round_trips_every_field()
    {
        var store = await CreateStoreAsync();
        var input = Cache(isPublic: true) with { Priority = 12, StoreDir = "/opt/store", UpstreamKeyNames = ["a-1", "b-2"] };
        var created = await store.CreateCacheAsync(input, Ct);
        Assert.True(created.Id > 0);
        var read = await store.GetCacheAsync(input.Name, Ct);
        Assert.NotNull(read);
        Assert.Equal(created.Id, read.Id);
        Assert.Equal(input.Name, read.Name);
        Assert.True(read.IsPublic);
        Assert.Equal(12, read.Priority);
        Assert.Equal("/opt/store", read.StoreDir);
        Assert.Equal(input.SigningKey, read.SigningKey);
        Assert.Equal(["a-1", "b-2"], read.UpstreamKeyNames);
        Assert.Equal(input.CreatedAt, read.CreatedAt);
    }

    [Fact]
    public async Task CreateCache_refuses_a_taken_name()
    {
        var store = await CreateStoreAsync();
        var cache = await store.CreateCacheAsync(Cache(), Ct);
        var e = await Assert.ThrowsAsync<DuplicateNameException>(() => store.CreateCacheAsync(Cache(cache.Name), Ct));
        Assert.Equal(cache.Name, e.Name);
    }

    [Fact]
    public async Task GetCache_of_unknown_name_is_null()
    {
        var store = await CreateStoreAsync();
        Assert.Null(await store.GetCacheAsync("no-such-cache", Ct));
    }

    [Fact]
    public async Task ListCaches_returns_every_cache()
    {
        var store = await CreateStoreAsync();
        var a = await store.CreateCacheAsync(Cache(), Ct);
        var b = await store.CreateCacheAsync(Cache(), Ct);
        var names = (await store.ListCachesAsync(Ct)).Select(c => c.Name).ToList();
        Assert.Contains(a.Name, names);
        Assert.Contains(b.Name, names);
    }

    [Fact]
    public async Task UpdateCache_changes_public_priority_and_upstream_keys_only()
    {
        var (store, cache) = await StoreWithCacheAsync();
        await store.UpdateCacheAsync(cache with { IsPublic = true, Priority = 7, UpstreamKeyNames = ["x-1"], SigningKey = "other:key" }, Ct);
        var read = await store.GetCacheAsync(cache.Name, Ct);
        Assert.NotNull(read);
        Assert.True(read.IsPublic);
        Assert.Equal(7, read.Priority);
        Assert.Equal(["x-1"], read.UpstreamKeyNames);
        Assert.Equal(cache.SigningKey, read.SigningKey);
    }

    [Fact]
    public async Task DeleteCache_removes_the_cache_and_its_paths()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var commit = Commit(cache.Id);
        await store.CommitNewAsync(commit, Ct);
        Assert.True(await store.DeleteCacheAsync(cache.Id, Ct));
        Assert.Null(await store.GetCacheAsync(cache.Name, Ct));
        Assert.Null(await store.GetPathAsync(cache.Id, commit.HashPart, Ct));
        Assert.False(await store.DeleteCacheAsync(cache.Id, Ct));
        // The name is free again, and the new cache does not inherit the old paths.
        var again = await store.CreateCacheAsync(Cache(cache.Name), Ct);
        Assert.Null(await store.GetPathAsync(again.Id, commit.HashPart, Ct));
    }

    [Fact]
    public async Task Commit_makes_the_path_visible_with_every_field()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var dependency = Commit(cache.Id);
        await store.CommitNewAsync(dependency, Ct);
        var nar = Nar(chunks: 3);
        var request = Commit(cache.Id, nar: nar, references: [BaseName(dependency.HashPart)], signatures: ["a:1", "b:2"]) with { Ca = "fixed:r:sha256:abc" };

        var result = await store.CommitNewAsync(request, Ct);

        Assert.Equal(CommitOutcome.Committed, result.Outcome);
        var read = await store.GetPathAsync(cache.Id, request.HashPart, Ct);
        Assert.NotNull(read);
        Assert.Equal(request.StorePath, read.Path.StorePath);
        Assert.Equal(request.HashPart, read.Path.HashPart);
        Assert.Equal(cache.Id, read.Path.CacheId);
        Assert.Equal(request.References, read.Path.References);
        Assert.Equal(request.Deriver, read.Path.Deriver);
        Assert.Equal(["a:1", "b:2"], read.Path.Signatures.Order());
        Assert.Equal(request.Ca, read.Path.Ca);
        Assert.Equal(request.At, read.Path.CreatedAt);
        Assert.Equal(read.Nar.Id, read.Path.NarId);
        Assert.Equal(nar.NarHash, read.Nar.NarHash);
        Assert.Equal(nar.NarSize, read.Nar.NarSize);
        Assert.Equal(nar.FileHash, read.Nar.FileHash);
        Assert.Equal(nar.FileSize, read.Nar.FileSize);
        Assert.Equal(nar.Compression, read.Nar.Compression);
        Assert.Equal(nar.ListingKey, read.Nar.ListingKey);
        Assert.Equal(nar.Chunks, read.Nar.Chunks);
    }

    [Fact]
    public async Task Commit_refuses_missing_references_and_stores_nothing()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var present = Commit(cache.Id);
        await store.CommitNewAsync(present, Ct);
        var absent = BaseName(HashPart(), "absent");
        var request = Commit(cache.Id, references: [BaseName(present.HashPart), absent]);

        var result = await store.CommitNewAsync(request, Ct);

        Assert.Equal(CommitOutcome.MissingReferences, result.Outcome);
        Assert.Equal([absent], result.MissingReferences);
        Assert.Null(await store.GetPathAsync(cache.Id, request.HashPart, Ct));
        Assert.Null(await store.GetNarByNarHashAsync(request.Nar.NarHash, Ct));
        Assert.Single(await store.ListEventsAsync(cache.Id, 10, Ct));
    }

    [Fact]
    public async Task Commit_does_not_count_references_held_by_another_cache()
    {
        var store = await CreateStoreAsync();
        var a = await store.CreateCacheAsync(Cache(), Ct);
        var b = await store.CreateCacheAsync(Cache(), Ct);
        var dependency = Commit(a.Id);
        await store.CommitNewAsync(dependency, Ct);

        var result = await store.CommitNewAsync(Commit(b.Id, references: [BaseName(dependency.HashPart)]), Ct);

        Assert.Equal(CommitOutcome.MissingReferences, result.Outcome);
    }

    [Fact]
    public async Task Commit_accepts_a_self_reference()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var hashPart = HashPart();
        var result = await store.CommitNewAsync(Commit(cache.Id, hashPart, references: [BaseName(hashPart)]), Ct);
        Assert.Equal(CommitOutcome.Committed, result.Outcome);
    }

    [Fact]
    public async Task Commit_of_a_present_path_merges_signatures()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var first = Commit(cache.Id, signatures: ["a:1"]);
        await store.CommitNewAsync(first, Ct);

        var result = await store.CommitNewAsync(first with { Signatures = ["a:1", "b:2"] }, Ct);

        Assert.Equal(CommitOutcome.AlreadyPresent, result.Outcome);
        var read = await store.GetPathAsync(cache.Id, first.HashPart, Ct);
        Assert.Equal(["a:1", "b:2"], read!.Path.Signatures.Order());
    }

    [Fact]
    public async Task Commit_of_a_present_path_with_another_NarHash_is_a_conflict()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var first = Commit(cache.Id);
        await store.CommitNewAsync(first, Ct);

        var result = await store.CommitNewAsync(first with { Nar = Nar() }, Ct);

        Assert.Equal(CommitOutcome.Conflict, result.Outcome);
        var read = await store.GetPathAsync(cache.Id, first.HashPart, Ct);
        Assert.Equal(first.Nar.NarHash, read!.Nar.NarHash);
        Assert.Single(await store.ListNarsAsync(0, 100, Ct));
    }

    [Fact]
    public async Task Concurrent_identical_commits_all_succeed_and_store_once()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var request = Commit(cache.Id);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => store.CommitNewAsync(request, Ct))));

        Assert.Single(results, r => r.Outcome == CommitOutcome.Committed);
        Assert.All(results, r => Assert.Contains(r.Outcome, new[] { CommitOutcome.Committed, CommitOutcome.AlreadyPresent }));
        Assert.Single(await store.ListNarsAsync(0, 100, Ct), n => n.NarHash == request.Nar.NarHash);
        Assert.Single(await store.ListEventsAsync(cache.Id, 100, Ct));
    }

    [Fact]
    public async Task Concurrent_commits_of_one_NAR_under_different_paths_share_it()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var nar = Nar();

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => store.CommitNewAsync(Commit(cache.Id, nar: nar), Ct))));

        Assert.All(results, r => Assert.Equal(CommitOutcome.Committed, r.Outcome));
        Assert.Single(await store.ListNarsAsync(0, 100, Ct), n => n.NarHash == nar.NarHash);
    }

    [Fact]
    public async Task NARs_are_stored_once_per_NarHash_across_caches()
    {
        var store = await CreateStoreAsync();
        var a = await store.CreateCacheAsync(Cache(), Ct);
        var b = await store.CreateCacheAsync(Cache(), Ct);
        var nar = Nar();
        var inA = Commit(a.Id, nar: nar);
        var inB = Commit(b.Id, nar: nar with { FileHash = Sha256() });
        await store.CommitNewAsync(inA, Ct);
        await store.CommitNewAsync(inB, Ct);

        var pathA = await store.GetPathAsync(a.Id, inA.HashPart, Ct);
        var pathB = await store.GetPathAsync(b.Id, inB.HashPart, Ct);

        Assert.Equal(pathA!.Nar.Id, pathB!.Nar.Id);
        Assert.Equal(nar.FileHash, pathB.Nar.FileHash);
        Assert.Single(await store.ListNarsAsync(0, 100, Ct));
    }

    [Fact]
    public async Task Paths_of_one_cache_are_invisible_in_another()
    {
        var store = await CreateStoreAsync();
        var secret = await store.CreateCacheAsync(Cache(), Ct);
        var other = await store.CreateCacheAsync(Cache(isPublic: true), Ct);
        var request = Commit(secret.Id);
        await store.CommitNewAsync(request, Ct);

        Assert.Null(await store.GetPathAsync(other.Id, request.HashPart, Ct));
        Assert.Equal([request.HashPart], await store.FindMissingAsync(other.Id, [request.HashPart], Ct));
        Assert.Null(await store.GetNarByFileHashAsync(other.Id, request.Nar.FileHash, Ct));
        Assert.Equal(request.Nar.NarHash, (await store.GetNarByFileHashAsync(secret.Id, request.Nar.FileHash, Ct))?.NarHash);
    }

    [Fact]
    public async Task GetNarByNarHash_finds_stored_NARs_only()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var request = Commit(cache.Id, nar: Nar(chunks: 2));
        await store.CommitNewAsync(request, Ct);
        var nar = await store.GetNarByNarHashAsync(request.Nar.NarHash, Ct);
        Assert.Equal(request.Nar.Chunks, nar!.Chunks);
        Assert.Null(await store.GetNarByNarHashAsync(Sha256(), Ct));
    }

    [Fact]
    public async Task FindMissing_returns_absent_hash_parts_in_input_order()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var present = Commit(cache.Id);
        await store.CommitNewAsync(present, Ct);
        string[] absent = [HashPart(), HashPart(), HashPart()];

        var missing = await store.FindMissingAsync(cache.Id, [absent[0], present.HashPart, absent[1], absent[2]], Ct);

        Assert.Equal(absent, missing);
        Assert.Empty(await store.FindMissingAsync(cache.Id, [], Ct));
    }

    [Fact]
    public async Task TouchPaths_moves_last_access_forward_only()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var request = Commit(cache.Id);
        await store.CommitNewAsync(request, Ct);
        Assert.Equal(T0, (await store.GetPathAsync(cache.Id, request.HashPart, Ct))!.Path.LastAccessedAt);

        await store.TouchPathsAsync([(cache.Id, request.HashPart), (cache.Id, HashPart())], T0.AddHours(2), Ct);
        await store.TouchPathsAsync([(cache.Id, request.HashPart)], T0.AddHours(1), Ct);

        Assert.Equal(T0.AddHours(2), (await store.GetPathAsync(cache.Id, request.HashPart, Ct))!.Path.LastAccessedAt);
    }

    [Fact]
    public async Task Stats_count_paths_and_sum_sizes()
    {
        var (store, cache) = await StoreWithCacheAsync();
        Assert.Equal(new CacheStats(0, 0, 0), await store.GetCacheStatsAsync(cache.Id, Ct));
        var a = Commit(cache.Id, nar: Nar(chunks: 1));
        var b = Commit(cache.Id, nar: Nar(chunks: 2));
        await store.CommitNewAsync(a, Ct);
        await store.CommitNewAsync(b, Ct);

        var stats = await store.GetCacheStatsAsync(cache.Id, Ct);

        Assert.Equal(new CacheStats(2, a.Nar.NarSize + b.Nar.NarSize, a.Nar.FileSize + b.Nar.FileSize), stats);
    }

    [Fact]
    public async Task Stats_follow_deletions_evictions_and_a_nar_stored_anew_in_every_cache_that_holds_it()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var other = await store.CreateCacheAsync(Cache(), Ct);
        var shared = Commit(cache.Id);
        await store.CommitNewAsync(shared, Ct);
        await store.CommitNewAsync(shared with { CacheId = other.Id }, Ct);
        var deleted = await CommitChainAsync(store, cache.Id, 3, LongAgo);
        var evicted = await CommitChainAsync(store, cache.Id, 4, LongAgo);
        Assert.Equal(8, (await store.GetCacheStatsAsync(cache.Id, Ct)).PathCount);

        await store.DeletePathAsync(cache.Id, deleted[0].HashPart, recursive: true, dryRun: false, "r", null, T0, Ct);
        await store.EvictAsync(Eviction(cache.Id, [evicted[0].HashPart, evicted[2].HashPart], LongAgo), Ct);
        var nar = (await store.GetNarByNarHashAsync(shared.Nar.NarHash, Ct))!;
        Assert.True(await store.ReplaceNarChunksAsync(nar.Id, nar.FileHash, Sha256(), nar.FileSize + 500, [await RegisterNewAsync(store, T0)], Later, Ct));

        var expected = new CacheStats(1, shared.Nar.NarSize, shared.Nar.FileSize + 500);
        Assert.Equal(expected, await store.GetCacheStatsAsync(cache.Id, Ct));
        Assert.Equal(expected, await store.GetCacheStatsAsync(other.Id, Ct));
    }

    [Fact]
    public async Task Stats_are_the_same_before_and_after_folding_their_changes()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var a = Commit(cache.Id, nar: Nar(chunks: 1));
        var b = Commit(cache.Id, nar: Nar(chunks: 2));
        await store.CommitNewAsync(a, Ct);
        await store.FoldCacheStatsAsync(Ct);
        await store.CommitNewAsync(b, Ct);
        var both = new CacheStats(2, a.Nar.NarSize + b.Nar.NarSize, a.Nar.FileSize + b.Nar.FileSize);
        Assert.Equal(both, await store.GetCacheStatsAsync(cache.Id, Ct));

        await store.FoldCacheStatsAsync(Ct);
        await store.FoldCacheStatsAsync(Ct);
        Assert.Equal(both, await store.GetCacheStatsAsync(cache.Id, Ct));

        await store.DeletePathAsync(cache.Id, a.HashPart, recursive: false, dryRun: false, "r", null, T0, Ct);
        await store.FoldCacheStatsAsync(Ct);
        Assert.Equal(new CacheStats(1, b.Nar.NarSize, b.Nar.FileSize), await store.GetCacheStatsAsync(cache.Id, Ct));
    }

    [Fact]
    public async Task Folds_running_beside_commits_count_each_commit_once()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var commits = Enumerable.Range(0, 20).Select(_ => Commit(cache.Id)).ToList();

        await Task.WhenAll(
            commits.Select(c => (Task)store.CommitNewAsync(c, Ct))
                .Concat(Enumerable.Range(0, 5).Select(_ => store.FoldCacheStatsAsync(Ct))));
        Assert.Equal(20, (await store.GetCacheStatsAsync(cache.Id, Ct)).PathCount);
        await store.FoldCacheStatsAsync(Ct);

        Assert.Equal(new CacheStats(20, commits.Sum(c => c.Nar.NarSize), commits.Sum(c => c.Nar.FileSize)), await store.GetCacheStatsAsync(cache.Id, Ct));
    }
}
