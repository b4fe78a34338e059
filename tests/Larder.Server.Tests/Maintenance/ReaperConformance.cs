using Larder.Server.Configuration;
using Larder.Server.Maintenance.Reaping;
using Larder.Server.Metadata;
using Larder.Server.Metadata.Relational;
using Larder.Server.Storage;
using Larder.Server.Tests.Metadata;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Larder.Server.Tests.Metadata.MetadataSamples;

namespace Larder.Server.Tests.Maintenance;

/// <summary>
/// What the storage <see cref="Reaper"/> must do on every metadata and blob backend. Subclasses open a fresh database
/// (and more stores on the same one, as replicas would) and a fresh blob store.
/// </summary>
public abstract class ReaperConformance
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly TimeSpan Ttl = TimeSpan.FromHours(1);
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(10);
    private readonly ManualTimeProvider _time = new(T0);

    /// <summary>A migrated, empty store on a new database, using <paramref name="time"/>.</summary>
    protected abstract Task<RelationalMetadataStore> CreateStoreAsync(TimeProvider time);

    /// <summary>Another store on the database of the last <see cref="CreateStoreAsync"/> (another replica).</summary>
    protected abstract Task<RelationalMetadataStore> OpenReplicaAsync(TimeProvider time);

    /// <summary>Inserts <paramref name="count"/> held NARs and as many held chunks straight into the database of the last store.</summary>
    protected abstract Task BulkInsertHeldNarsAsync(int count);

    /// <summary>Runs <paramref name="sql"/> straight on the database of the last store (to make rows older versions wrote).</summary>
    protected abstract Task ExecuteSqlAsync(string sql);

    /// <summary>A fresh, empty blob store.</summary>
    protected abstract Task<IBlobStore> CreateBlobStoreAsync();

    [Fact]
    public async Task Deleting_a_cache_frees_its_blobs_after_the_grace_but_keeps_a_nar_another_cache_uses()
    {
        var (store, blobs) = await OpenAsync();
        var doomed = await store.CreateCacheAsync(Cache(), Ct);
        var other = await store.CreateCacheAsync(Cache(), Ct);
        var own = await CommitWithBlobsAsync(store, blobs, Commit(doomed.Id, at: _time.Now));
        var shared = await CommitWithBlobsAsync(store, blobs, Commit(doomed.Id, at: _time.Now));
        await store.CommitPathAsync(Commit(other.Id, shared.HashPart, shared.Nar, at: _time.Now), Ct);
        var log = await PutBlobAsync(store, blobs, "logs/ab/build-1.log");
        await store.PutBuildLogAsync(doomed.Id, "abc-x.drv", log, Ct);

        await store.DeleteCacheAsync(doomed.Id, Ct);
        await NewReaper(store, blobs).RunOnceAsync(Ct);
        Assert.True(await ExistsAsync(blobs, own.Nar.Chunks[0].StorageKey));
        Assert.False(await ExistsAsync(blobs, log));

        await PassAfterGraceAsync(store, blobs);
        Assert.False(await ExistsAsync(blobs, own.Nar.ListingKey!));
        await PassAfterGraceAsync(store, blobs);

        Assert.False(await ExistsAsync(blobs, own.Nar.Chunks[0].StorageKey));
        Assert.True(await ExistsAsync(blobs, shared.Nar.Chunks[0].StorageKey));
        Assert.True(await ExistsAsync(blobs, shared.Nar.ListingKey!));
        Assert.NotNull(await store.GetPathAsync(other.Id, shared.HashPart, Ct));
    }

    [Fact]
    public async Task Deleting_a_path_frees_its_blobs_after_the_grace()
    {
        var (store, blobs) = await OpenAsync();
        var cache = await store.CreateCacheAsync(Cache(), Ct);
        var path = await CommitWithBlobsAsync(store, blobs, Commit(cache.Id, at: _time.Now));
        var kept = await CommitWithBlobsAsync(store, blobs, Commit(cache.Id, at: _time.Now));

        await store.DeletePathsAsync(cache.Id, [path.HashPart], "test", null, _time.Now, Ct);
        await PassAfterGraceAsync(store, blobs);
        await PassAfterGraceAsync(store, blobs);

        Assert.False(await ExistsAsync(blobs, path.Nar.Chunks[0].StorageKey));
        Assert.False(await ExistsAsync(blobs, path.Nar.ListingKey!));
        Assert.True(await ExistsAsync(blobs, kept.Nar.Chunks[0].StorageKey));
        Assert.True(await ExistsAsync(blobs, kept.Nar.ListingKey!));
    }

    [Fact]
    public async Task A_crash_mid_ingest_is_cleaned_after_the_ttl_and_committed_blobs_are_never_deleted()
    {
        var (store, blobs) = await OpenAsync();
        var cache = await store.CreateCacheAsync(Cache(), Ct);
        var committed = await CommitWithBlobsAsync(store, blobs, Commit(cache.Id, at: _time.Now));
        var orphan = await PutBlobAsync(store, blobs, "chunks/ab/crashed.zst");
        var staged = await store.StageNewAsync(Staged(cache.Id, "nar/s.nar", at: _time.Now), Ct);
        await PutBlobAsync(blobs, staged.Chunks[0].StorageKey);

        await NewReaper(store, blobs).RunOnceAsync(Ct);
        Assert.True(await ExistsAsync(blobs, orphan));
        _time.Now += Ttl + TimeSpan.FromMinutes(1);
        var result = await NewReaper(store, blobs).RunOnceAsync(Ct);
        await PassAfterGraceAsync(store, blobs);
        _time.Now += TimeSpan.FromDays(30);
        await NewReaper(store, blobs).RunOnceAsync(Ct);

        Assert.Equal(1, result.StagedUploads);
        Assert.False(await ExistsAsync(blobs, orphan));
        Assert.False(await ExistsAsync(blobs, staged.Chunks[0].StorageKey));
        Assert.True(await ExistsAsync(blobs, committed.Nar.Chunks[0].StorageKey));
        Assert.True(await ExistsAsync(blobs, committed.Nar.ListingKey!));
    }

    [Fact]
    public async Task A_pass_with_nothing_to_reap_runs_a_bounded_number_of_queries_and_lists_no_bucket()
    {
        var (store, blobs) = await OpenAsync();
        await BulkInsertHeldNarsAsync(100_000);
        var counting = new ListingForbiddenBlobStore(blobs);
        var before = store.CommandCount;

        var result = await NewReaper(store, counting).RunOnceAsync(Ct);

        Assert.True(result.Leader);
        Assert.False(result.Removed);
        Assert.InRange(store.CommandCount - before, 1, 12);
    }

    [Fact]
    public async Task Replicas_reap_one_at_a_time_and_a_pass_cut_short_is_finished_by_another_after_the_lease_expires()
    {
        var (store, blobs) = await OpenAsync();
        var replica = await OpenReplicaAsync(_time);
        var cache = await store.CreateCacheAsync(Cache(), Ct);
        var paths = new List<CommitRequest>();
        for (var i = 0; i < 3; i++)
        {
            paths.Add(await CommitWithBlobsAsync(store, blobs, Commit(cache.Id, at: _time.Now)));
        }
        await store.DeletePathsAsync(cache.Id, [.. paths.Select(p => p.HashPart)], "test", null, _time.Now, Ct);
        _time.Now += Grace + TimeSpan.FromMinutes(1);
        using var cut = new CancellationTokenSource();
        var cutting = new CancelOnFirstDeleteBlobStore(blobs, cut);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => NewReaper(store, cutting).RunOnceAsync(cut.Token));
        Assert.Equal(ReapResult.NotLeader, await NewReaper(replica, blobs).RunOnceAsync(Ct));
        _time.Now += new MaintenanceOptions().LeaseDuration;
        var finished = await NewReaper(replica, blobs).RunOnceAsync(Ct);
        await PassAfterGraceAsync(replica, blobs);

        Assert.True(finished.Leader);
        foreach (var path in paths)
        {
            Assert.False(await ExistsAsync(blobs, path.Nar.ListingKey!));
            Assert.False(await ExistsAsync(blobs, path.Nar.Chunks[0].StorageKey));
        }
        Assert.Empty(await replica.ListDueBlobDeletionsAsync(new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero), 10, Ct));
    }

    [Fact]
    public async Task Replicas_taking_the_lease_at_once_have_one_winner_and_passes_at_once_all_complete()
    {
        var (store, blobs) = await OpenAsync();
        var replica = await OpenReplicaAsync(_time);

        var passes = await Task.WhenAll(
            Enumerable.Range(0, 6).Select(i => Task.Run(() => NewReaper(i % 2 == 0 ? store : replica, blobs).RunOnceAsync(Ct))));
        var taken = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            (i % 2 == 0 ? store : replica).TryTakeLeaseAsync(Reaper.LeaseName, $"replica-{i}", _time.Now, new MaintenanceOptions().LeaseDuration, Ct))));

        Assert.Contains(passes, r => r.Leader);
        Assert.Single(taken, t => t);
    }

    [Fact]
    public async Task A_cancelled_put_whose_blob_was_never_written_leaves_the_queue_after_its_ttl()
    {
        var (store, blobs) = await OpenAsync();
        await store.RecordBlobIntentsAsync(["chunks/zz/cancelled.zst"], _time.Now + Ttl, Ct);
        var written = await PutBlobAsync(store, blobs, "chunks/ab/orphan.zst");

        _time.Now += Ttl + TimeSpan.FromMinutes(1);
        var result = await NewReaper(store, blobs).RunOnceAsync(Ct);

        Assert.Equal(2, result.Blobs);
        Assert.False(await ExistsAsync(blobs, written));
        Assert.Empty(await store.ListDueBlobDeletionsAsync(_time.Now, 10, Ct));
    }

    [Fact]
    public async Task A_blob_that_fails_to_delete_stays_queued_without_blocking_the_blobs_behind_it()
    {
        var (store, blobs) = await OpenAsync();
        var failing = await PutBlobAsync(store, blobs, "chunks/ab/failing.zst");
        _time.Now += TimeSpan.FromSeconds(1);
        var behind = await PutBlobAsync(store, blobs, "chunks/ab/behind.zst");
        _time.Now += Ttl + TimeSpan.FromMinutes(1);

        var result = await NewReaper(store, new FailingDeleteBlobStore(blobs, failing)).RunOnceAsync(Ct);

        Assert.Equal(1, result.Blobs);
        Assert.True(await ExistsAsync(blobs, failing));
        Assert.False(await ExistsAsync(blobs, behind));
        _time.Now += TimeSpan.FromMinutes(1);
        Assert.Equal([failing], await store.ListDueBlobDeletionsAsync(_time.Now, 10, Ct));
        await NewReaper(store, blobs).RunOnceAsync(Ct);
        Assert.False(await ExistsAsync(blobs, failing));
    }

    [Fact]
    public async Task A_shared_listing_from_before_unique_keys_stays_while_a_staged_upload_names_it()
    {
        var (store, blobs) = await OpenAsync();
        var cache = await store.CreateCacheAsync(Cache(), Ct);
        var path = await CommitWithBlobsAsync(store, blobs, Commit(cache.Id, at: _time.Now));
        var staged = await store.StageNewAsync(Staged(cache.Id, "nar/s.nar", at: _time.Now), Ct);
        var listing = path.Nar.ListingKey!;
        await ExecuteSqlAsync($"UPDATE staged_nars SET listing_key = '{listing}' WHERE id = {staged.Id};");

        await store.DeletePathsAsync(cache.Id, [path.HashPart], "test", null, _time.Now, Ct);
        await PassAfterGraceAsync(store, blobs);
        await PassAfterGraceAsync(store, blobs);
        Assert.False(await ExistsAsync(blobs, path.Nar.Chunks[0].StorageKey));
        Assert.True(await ExistsAsync(blobs, listing));

        _time.Now += Ttl;
        await NewReaper(store, blobs).RunOnceAsync(Ct);
        Assert.False(await ExistsAsync(blobs, listing));
    }

    [Fact]
    public async Task An_abandoned_resumable_upload_and_its_parts_are_removed_once_untouched_for_its_lifetime()
    {
        var (store, blobs) = await OpenAsync();
        var cache = await store.CreateCacheAsync(Cache(), Ct);
        var abandoned = await StartUploadAsync(store, blobs, cache.Id);
        _time.Now += TimeSpan.FromHours(12);
        var active = await StartUploadAsync(store, blobs, cache.Id);

        _time.Now += Larder.Server.Api.Push.UploadSessionStore.Lifetime - TimeSpan.FromHours(6);
        var pass = await NewReaper(store, blobs).RunOnceAsync(Ct);

        Assert.Equal(1, pass.UploadSessions);
        Assert.False(await ExistsAsync(blobs, abandoned.StorageKey));
        Assert.True(await ExistsAsync(blobs, active.StorageKey));
        Assert.Null(await store.TouchUploadSessionAsync(cache.Id, abandoned.Id, DateTimeOffset.MinValue, _time.Now, Ct));
        Assert.NotNull(await store.TouchUploadSessionAsync(cache.Id, active.Id, DateTimeOffset.MinValue, _time.Now, Ct));
    }

    [Fact]
    public async Task Abandoning_an_upload_or_deleting_its_cache_frees_its_parts_at_the_next_pass()
    {
        var (store, blobs) = await OpenAsync();
        var cache = await store.CreateCacheAsync(Cache(), Ct);
        var doomed = await store.CreateCacheAsync(Cache(), Ct);
        var abandoned = await StartUploadAsync(store, blobs, cache.Id);
        var orphaned = await StartUploadAsync(store, blobs, doomed.Id);

        Assert.True(await store.DeleteUploadSessionAsync(abandoned.Id, _time.Now, Ct));
        Assert.True(await store.DeleteCacheAsync(doomed.Id, Ct));
        await NewReaper(store, blobs).RunOnceAsync(Ct);

        Assert.False(await ExistsAsync(blobs, abandoned.StorageKey));
        Assert.False(await ExistsAsync(blobs, orphaned.StorageKey));
        Assert.False(await store.DeleteUploadSessionAsync(abandoned.Id, _time.Now, Ct));
    }

    /// <summary>A session with one stored part, made as <c>UploadSessionStore</c> does: intent, blob, then the part row.</summary>
    private async Task<(string Id, string StorageKey)> StartUploadAsync(IMetadataStore store, IBlobStore blobs, long cacheId)
    {
        var id = Guid.NewGuid().ToString("N");
        await store.CreateUploadSessionAsync(new UploadSessionRecord(id, cacheId, "{}", 0, _time.Now, _time.Now, []), Ct);
        var key = await PutBlobAsync(store, blobs, $"uploads/{id}/000000000000000-000000000000.part");
        var added = await store.AddUploadPartAsync(id, new UploadPartRecord(0, key.Length, key), _time.Now, Ct);
        Assert.True(added.Added);
        return (id, key);
    }

    private async Task<(RelationalMetadataStore Store, IBlobStore Blobs)> OpenAsync() =>
        (await CreateStoreAsync(_time), await CreateBlobStoreAsync());

    private Reaper NewReaper(IMetadataStore store, IBlobStore blobs) => new(
        store,
        blobs,
        Options.Create(new LarderOptions { Maintenance = { StagedUploadTtl = Ttl, ReleaseGrace = Grace } }),
        _time,
        NullLogger<Reaper>.Instance);

    private async Task PassAfterGraceAsync(IMetadataStore store, IBlobStore blobs)
    {
        _time.Now += Grace + TimeSpan.FromMinutes(1);
        Assert.True((await NewReaper(store, blobs).RunOnceAsync(Ct)).Leader);
    }

    /// <summary>Commits as an ingest would: intents, then blobs, then the commit.</summary>
    private async Task<CommitRequest> CommitWithBlobsAsync(IMetadataStore store, IBlobStore blobs, CommitRequest request)
    {
        await store.RecordBlobIntentsAsync([request.Nar.Chunks[0].StorageKey, request.Nar.ListingKey!], _time.Now + Ttl, Ct);
        await PutBlobAsync(blobs, request.Nar.Chunks[0].StorageKey);
        await PutBlobAsync(blobs, request.Nar.ListingKey!);
        Assert.Equal(CommitOutcome.Committed, (await store.CommitPathAsync(request, Ct)).Outcome);
        return request;
    }

    private async Task<string> PutBlobAsync(IMetadataStore store, IBlobStore blobs, string key)
    {
        await store.RecordBlobIntentsAsync([key], _time.Now + Ttl, Ct);
        await PutBlobAsync(blobs, key);
        return key;
    }

    private static async Task PutBlobAsync(IBlobStore blobs, string key)
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, key);
        await blobs.PutFileAsync(key, file, Ct);
        File.Delete(file);
    }

    private static async Task<bool> ExistsAsync(IBlobStore blobs, string key) => await blobs.GetSizeAsync(key, Ct) is not null;
}
