using Larder.Server.Metadata;
using static Larder.Server.Tests.Metadata.MetadataSamples;

namespace Larder.Server.Tests.Metadata;

public abstract partial class MetadataStoreConformance
{
    [Fact]
    public async Task Staged_upload_round_trips_and_the_newest_wins_per_url()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var older = await store.StageNewAsync(Staged(cache.Id, "nar/x.nar.xz", Nar(chunks: 2)), Ct);
        var newer = await store.StageNewAsync(Staged(cache.Id, "nar/x.nar.xz"), Ct);
        Assert.True(older.Id > 0);
        Assert.NotEqual(older.Id, newer.Id);

        var read = await store.GetStagedNarAsync(cache.Id, "nar/x.nar.xz", Ct);

        Assert.Equal(newer with { Chunks = [] }, read! with { Chunks = [] });
        Assert.Equal(newer.Chunks, read.Chunks);
        Assert.Null(await store.GetStagedNarAsync(cache.Id, "nar/y.nar.xz", Ct));
    }

    [Fact]
    public async Task Staged_uploads_are_scoped_to_their_cache()
    {
        var store = await CreateStoreAsync();
        var a = await store.CreateCacheAsync(Cache(), Ct);
        var b = await store.CreateCacheAsync(Cache(), Ct);
        await store.StageNewAsync(Staged(a.Id, "nar/x.nar"), Ct);
        Assert.Null(await store.GetStagedNarAsync(b.Id, "nar/x.nar", Ct));
    }

    [Fact]
    public async Task Expiring_staged_uploads_deletes_only_those_older_than_the_cutoff()
    {
        var (store, cache) = await StoreWithCacheAsync();
        await store.StageNewAsync(Staged(cache.Id, "nar/old.nar", Nar(chunks: 2), T0), Ct);
        var fresh = await store.StageNewAsync(Staged(cache.Id, "nar/new.nar", at: T0.AddHours(2)), Ct);

        Assert.Equal(1, await store.ExpireStagedNarsAsync(T0.AddHours(1), 10, Ct));

        Assert.Null(await store.GetStagedNarAsync(cache.Id, "nar/old.nar", Ct));
        Assert.Equal(fresh.Id, (await store.GetStagedNarAsync(cache.Id, "nar/new.nar", Ct))!.Id);
        Assert.Equal(0, await store.ExpireStagedNarsAsync(T0.AddHours(1), 10, Ct));
    }

    [Fact]
    public async Task Commit_with_a_staged_upload_consumes_it()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var staged = await store.StageNewAsync(Staged(cache.Id, "nar/a.nar.zst"), Ct);

        var nar = Nar(staged.NarHash) with { Chunks = staged.Chunks, ListingKey = staged.ListingKey };

        var result = await store.CommitPathAsync(Commit(cache.Id, nar: nar, stagedId: staged.Id), Ct);

        Assert.Equal(CommitOutcome.Committed, result.Outcome);
        Assert.Null(await store.GetStagedNarAsync(cache.Id, "nar/a.nar.zst", Ct));
        Assert.Equal(staged.ListingKey, (await store.GetNarByNarHashAsync(staged.NarHash, Ct))!.ListingKey);
        Assert.Empty(await store.ListDueBlobDeletionsAsync(Far, 10, Ct));
    }

    [Fact]
    public async Task A_path_committed_from_its_staged_upload_holds_its_chunks_once_until_it_is_deleted()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var staged = await store.StageNewAsync(Staged(cache.Id, "nar/a.nar.zst", Nar(chunks: 3)), Ct);
        var nar = Nar(staged.NarHash) with { Chunks = staged.Chunks, ListingKey = staged.ListingKey };
        var request = Commit(cache.Id, nar: nar, stagedId: staged.Id);

        Assert.Equal(CommitOutcome.Committed, (await store.CommitPathAsync(request, Ct)).Outcome);

        Assert.Equal(staged.Chunks, (await store.GetNarByNarHashAsync(staged.NarHash, Ct))!.Chunks);
        Assert.Equal(0, await store.ReapChunksAsync(Far, Far, 10, Ct));
        await store.DeletePathsAsync(cache.Id, [request.HashPart], "test", null, Later, Ct);
        Assert.Equal(1, await store.ReapNarsAsync(Far, Later, 10, Ct));
        Assert.Equal(3, await store.ReapChunksAsync(Far, Far, 10, Ct));
    }

    [Fact]
    public async Task A_commit_whose_nar_has_other_chunks_than_its_staged_upload_holds_its_own_and_releases_the_upload_s()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var staged = await store.StageNewAsync(Staged(cache.Id, "nar/a.nar.zst"), Ct);
        var nar = Nar(chunks: 2) with { NarHash = staged.NarHash };

        var result = await store.CommitNewAsync(Commit(cache.Id, nar: nar, stagedId: staged.Id), Ct);

        Assert.Equal(CommitOutcome.Committed, result.Outcome);
        Assert.Null(await store.GetStagedNarAsync(cache.Id, "nar/a.nar.zst", Ct));
        Assert.Equal(nar.Chunks, (await store.GetNarByNarHashAsync(staged.NarHash, Ct))!.Chunks);
        Assert.Equal(1, await store.ReapChunksAsync(Far, Far, 10, Ct));
        Assert.Equal(2, (await store.FindChunksAsync([.. nar.Chunks.Select(chunk => chunk.Hash)], T0, Ct)).Count);
    }

    [Fact]
    public async Task Refused_commit_keeps_the_staged_upload()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var staged = await store.StageNewAsync(Staged(cache.Id, "nar/a.nar.zst"), Ct);

        var result = await store.CommitNewAsync(Commit(cache.Id, references: [BaseName(HashPart())], stagedId: staged.Id), Ct);

        Assert.Equal(CommitOutcome.MissingReferences, result.Outcome);
        Assert.NotNull(await store.GetStagedNarAsync(cache.Id, "nar/a.nar.zst", Ct));
    }

    [Fact]
    public async Task ListNars_pages_in_id_order_with_chunks()
    {
        var (store, cache) = await StoreWithCacheAsync();
        for (var i = 0; i < 5; i++)
        {
            await store.CommitNewAsync(Commit(cache.Id, nar: Nar(chunks: 1 + (i % 3))), Ct);
        }

        var first = await store.ListNarsAsync(0, 2, Ct);
        var second = await store.ListNarsAsync(first[^1].Id, 2, Ct);
        var third = await store.ListNarsAsync(second[^1].Id, 2, Ct);

        var all = first.Concat(second).Concat(third).ToList();
        Assert.Equal([2, 2, 1], new[] { first.Count, second.Count, third.Count });
        Assert.Equal(all.Select(n => n.Id).Order(), all.Select(n => n.Id));
        Assert.Equal(5, all.Select(n => n.Id).Distinct().Count());
        Assert.Equal([1, 2, 3, 1, 2], all.Select(n => n.Chunks.Count));
        Assert.Empty(await store.ListNarsAsync(third[^1].Id, 2, Ct));
    }

    [Fact]
    public async Task Build_logs_are_stored_per_cache_and_replaced()
    {
        var store = await CreateStoreAsync();
        var a = await store.CreateCacheAsync(Cache(), Ct);
        var b = await store.CreateCacheAsync(Cache(), Ct);
        await store.RecordBlobIntentsAsync(["logs/one.log", "logs/two.log"], Far, Ct);
        await store.PutBuildLogAsync(a.Id, "abc-x.drv", "logs/one.log", Ct);
        await store.PutBuildLogAsync(a.Id, "abc-x.drv", "logs/two.log", Ct);

        Assert.Equal("logs/two.log", await store.GetBuildLogKeyAsync(a.Id, "abc-x.drv", Ct));
        Assert.Null(await store.GetBuildLogKeyAsync(b.Id, "abc-x.drv", Ct));
        Assert.Null(await store.GetBuildLogKeyAsync(a.Id, "other.drv", Ct));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_build_log_whose_blob_was_never_announced_or_is_due_for_deletion_is_refused(bool dueForDeletion)
    {
        var (store, cache) = await StoreWithCacheAsync();
        if (dueForDeletion)
        {
            await store.RecordBlobIntentsAsync(["logs/ab/gone.log"], T0, Ct);
        }

        var e = await Assert.ThrowsAsync<MetadataUnavailableException>(() => store.PutBuildLogAsync(cache.Id, "abc-x.drv", "logs/ab/gone.log", Ct));

        Assert.Contains("upload it again", e.Message, StringComparison.Ordinal);
        Assert.Null(await store.GetBuildLogKeyAsync(cache.Id, "abc-x.drv", Ct));
    }

    [Fact]
    public async Task Events_are_listed_newest_first_up_to_the_limit()
    {
        var (store, cache) = await StoreWithCacheAsync();
        var pushed = Commit(cache.Id);
        var x = Commit(cache.Id);
        var y = Commit(cache.Id);
        foreach (var request in new[] { pushed, x, y })
        {
            await store.CommitNewAsync(request, Ct);
        }
        await store.DeletePathsAsync(cache.Id, [x.HashPart], "retention", 3, T0.AddMinutes(1), Ct);
        await store.DeletePathsAsync(cache.Id, [y.HashPart], "by hand", null, T0.AddMinutes(2), Ct);

        var events = await store.ListEventsAsync(cache.Id, 10, Ct);
        var limited = await store.ListEventsAsync(cache.Id, 2, Ct);

        Assert.Equal([y.StorePath, x.StorePath, y.StorePath, x.StorePath, pushed.StorePath], events.Select(e => e.StorePath));
        Assert.Equal(["delete", "delete", "push", "push", "push"], events.Select(e => e.Kind));
        Assert.Equal(["by hand", "retention"], events.Take(2).Select(e => e.Reason));
        Assert.Equal(pushed.TokenId, events[4].TokenId);
        Assert.Equal(3, events[1].TokenId);
        Assert.Null(events[0].TokenId);
        Assert.Equal(T0.AddMinutes(2), events[0].At);
        Assert.Equal(2, limited.Count);
    }

    [Fact]
    public async Task Tokens_round_trip_by_secret_hash_with_grants_and_expiry()
    {
        var store = await CreateStoreAsync();
        var input = Token(
            new TokenGrant("team-*", Permission.Read | Permission.Write),
            new TokenGrant("ops", Permission.Admin)) with { ExpiresAt = T0.AddDays(30) };

        var created = await store.CreateTokenAsync(input, Ct);
        var read = await store.GetTokenBySecretHashAsync(input.SecretHash, Ct);

        Assert.True(created.Id > 0);
        Assert.Equal(input with { Id = created.Id, Grants = [] }, read! with { Grants = [] });
        Assert.Equal(input.Grants, read.Grants);
        Assert.Null(await store.GetTokenBySecretHashAsync(new string('0', 64), Ct));
        Assert.Contains(await store.ListTokensAsync(Ct), t => t.Id == created.Id);
    }

    [Fact]
    public async Task Revoking_a_token_is_visible_at_once_and_unknown_ids_are_reported()
    {
        var store = await CreateStoreAsync();
        var token = await store.CreateTokenAsync(Token(), Ct);

        Assert.Equal(TokenRevocation.Revoked, await store.RevokeTokenAsync(token.Id, T0.AddHours(1), Ct));
        Assert.Equal(T0.AddHours(1), (await store.GetTokenBySecretHashAsync(token.SecretHash, Ct))!.RevokedAt);
        Assert.Equal(TokenRevocation.Revoked, await store.RevokeTokenAsync(token.Id, T0.AddHours(2), Ct));
        Assert.Equal(T0.AddHours(1), (await store.GetTokenBySecretHashAsync(token.SecretHash, Ct))!.RevokedAt);
        Assert.Equal(TokenRevocation.NotFound, await store.RevokeTokenAsync(token.Id + 1000, T0, Ct));
    }
}
