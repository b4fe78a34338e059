using Larder.Server.Metadata;
using static Larder.Server.Tests.Metadata.MetadataSamples;

namespace Larder.Server.Tests.Metadata;

public abstract partial class MetadataStoreConformance
{
    /// <summary>Intents due long after the stores' real clock, so registrations can claim them.</summary>
    private static readonly DateTimeOffset IntentDue = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static async Task<ChunkRecord> RegisterNewAsync(IMetadataStore store, DateTimeOffset releasedAt, string? hash = null)
    {
        var chunk = Chunk(hash);
        await store.RecordBlobIntentsAsync([chunk.StorageKey], IntentDue, Ct);
        return await store.RegisterChunkAsync(chunk, releasedAt, Ct);
    }

    private static ChunkRecord Chunk(string? hash = null)
    {
        var h = hash ?? Sha256();
        return new ChunkRecord(h, $"chunks/{h[7..9]}/{h[7..]}-{Guid.NewGuid():N}.zst", 5000, Sha256(), 2000, "zstd");
    }

    [Fact]
    public async Task A_registered_chunk_is_found_by_hash_before_any_nar_names_it()
    {
        var store = await CreateStoreAsync();
        var chunk = await RegisterNewAsync(store, T0);
        var unknown = Sha256();

        var found = await store.FindChunksAsync([unknown, chunk.Hash, chunk.Hash], T0, Ct);

        Assert.Equal([chunk], found);
        Assert.Empty(await store.ListDueBlobDeletionsAsync(IntentDue.AddDays(1), 10, Ct));
    }

    [Fact]
    public async Task A_registered_chunk_without_holders_is_reaped_only_after_its_release_time_and_the_grace()
    {
        var store = await CreateStoreAsync();
        var releasedAt = T0.AddMinutes(50);
        var chunk = await RegisterNewAsync(store, releasedAt);

        Assert.Equal(0, await store.ReapChunksAsync(releasedAt, Later, 10, Ct));
        Assert.Single(await store.FindChunksAsync([chunk.Hash], T0, Ct));
        Assert.Equal(1, await store.ReapChunksAsync(releasedAt.AddMilliseconds(1), Later, 10, Ct));

        Assert.Empty(await store.FindChunksAsync([chunk.Hash], T0, Ct));
        Assert.Equal([chunk.StorageKey], await store.ListDueBlobDeletionsAsync(Later, 10, Ct));
    }

    [Fact]
    public async Task Finding_a_released_chunk_moves_its_release_time_forward_never_back()
    {
        var store = await CreateStoreAsync();
        var chunk = await RegisterNewAsync(store, T0);

        await store.FindChunksAsync([chunk.Hash], T0.AddHours(1), Ct);
        await store.FindChunksAsync([chunk.Hash], T0.AddMinutes(5), Ct);

        Assert.Equal(0, await store.ReapChunksAsync(T0.AddHours(1), Later, 10, Ct));
        Assert.Equal(1, await store.ReapChunksAsync(T0.AddHours(1).AddMilliseconds(1), Later, 10, Ct));
    }

    [Fact]
    public async Task Registering_a_chunk_held_already_answers_the_held_one_and_queues_the_new_blob()
    {
        var store = await CreateStoreAsync();
        var first = await RegisterNewAsync(store, T0);

        var second = await RegisterNewAsync(store, T0.AddHours(2), first.Hash);

        Assert.Equal(first, second);
        Assert.Equal([first], await store.FindChunksAsync([first.Hash], T0, Ct));
        var due = await store.ListDueBlobDeletionsAsync(DateTimeOffset.UtcNow.AddMinutes(1), 10, Ct);
        Assert.Single(due);
        Assert.NotEqual(first.StorageKey, due[0]);
        Assert.Equal(0, await store.ReapChunksAsync(T0.AddHours(2), Later, 10, Ct));
    }

    [Fact]
    public async Task Registering_a_chunk_whose_intent_is_gone_is_refused_naming_it()
    {
        var store = await CreateStoreAsync();
        var chunk = Chunk();

        var e = await Assert.ThrowsAsync<UnknownChunksException>(() => store.RegisterChunkAsync(chunk, T0, Ct));

        Assert.Equal([chunk.Hash], e.Hashes);
        Assert.Empty(await store.FindChunksAsync([chunk.Hash], T0, Ct));
    }

    [Fact]
    public async Task A_commit_takes_registered_chunks_and_they_outlive_their_release_time()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var chunks = new[] { await RegisterNewAsync(store, T0), await RegisterNewAsync(store, T0) };
        var nar = Nar() with { Chunks = [chunks[0], chunks[1], chunks[0]], ListingKey = null };

        Assert.Equal(CommitOutcome.Committed, (await store.CommitPathAsync(Commit(cache.Id, nar: nar), Ct)).Outcome);

        Assert.Equal(0, await store.ReapChunksAsync(Far, Far, 10, Ct));
        Assert.Equal(nar.Chunks, (await store.GetNarByNarHashAsync(nar.NarHash, Ct))!.Chunks);
    }

    [Fact]
    public async Task A_commit_naming_a_reaped_chunk_fails_naming_it_and_leaves_nothing_visible()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var kept = await RegisterNewAsync(store, Far);
        var reaped = await RegisterNewAsync(store, T0);
        // Its blob is queued due when reaped, before the commit below.
        Assert.Equal(1, await store.ReapChunksAsync(Later, T0, 10, Ct));
        var request = Commit(cache.Id, nar: Nar() with { Chunks = [kept, reaped], ListingKey = null });

        var e = await Assert.ThrowsAsync<UnknownChunksException>(() => store.CommitPathAsync(request, Ct));

        Assert.Equal([reaped.Hash], e.Hashes);
        Assert.Contains(reaped.Hash, e.Message, StringComparison.Ordinal);
        Assert.Null(await store.GetPathAsync(cache.Id, request.HashPart, Ct));
        Assert.Null(await store.GetNarByNarHashAsync(request.Nar.NarHash, Ct));
    }

    [Fact]
    public async Task Replacing_a_nars_chunks_keeps_its_old_file_hash_as_an_alias_and_releases_the_old_chunk()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var request = Commit(cache.Id);
        await store.CommitNewAsync(request, Ct);
        var nar = (await store.GetNarByNarHashAsync(request.Nar.NarHash, Ct))!;
        var chunks = new[] { await RegisterNewAsync(store, T0), await RegisterNewAsync(store, T0) };
        var newFileHash = Sha256();

        Assert.Equal([nar.Id], (await store.ListSingleChunkNarsAsync(0, 0, 10, Ct)).Select(n => n.Id));
        Assert.True(await store.ReplaceNarChunksAsync(nar.Id, nar.FileHash, newFileHash, 4000, chunks, Later, Ct));
        Assert.False(await store.ReplaceNarChunksAsync(nar.Id, nar.FileHash, Sha256(), 4000, chunks, Later, Ct));

        var replaced = (await store.GetNarByNarHashAsync(nar.NarHash, Ct))!;
        Assert.Equal(chunks, replaced.Chunks);
        Assert.Equal((newFileHash, 4000L), (replaced.FileHash, replaced.FileSize));
        Assert.Equal(replaced.Id, (await store.GetNarByFileHashAsync(cache.Id, nar.FileHash, Ct))?.Id);
        Assert.Equal(replaced.Id, (await store.GetNarByFileHashAsync(cache.Id, newFileHash, Ct))?.Id);
        Assert.Empty(await store.ListSingleChunkNarsAsync(0, 0, 10, Ct));
        Assert.Equal(1, await store.ReapChunksAsync(Later.AddMilliseconds(1), Later, 10, Ct));
        Assert.Equal([nar.Chunks[0].StorageKey], await store.ListDueBlobDeletionsAsync(Later, 10, Ct));
    }

    [Fact]
    public async Task Single_chunk_nars_are_listed_in_id_order_above_the_size_and_after_the_id()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var small = Nar() with { NarSize = 100 };
        var large = Nar() with { NarSize = 100_000 };
        var two = Nar(chunks: 2) with { NarSize = 100_000 };
        foreach (var nar in new[] { small, large, two })
        {
            await store.CommitNewAsync(Commit(cache.Id, nar: nar), Ct);
        }
        var largeId = (await store.GetNarByNarHashAsync(large.NarHash, Ct))!.Id;

        Assert.Equal([large.NarHash], (await store.ListSingleChunkNarsAsync(0, 1000, 10, Ct)).Select(n => n.NarHash));
        Assert.Empty(await store.ListSingleChunkNarsAsync(largeId, 1000, 10, Ct));
    }
}
