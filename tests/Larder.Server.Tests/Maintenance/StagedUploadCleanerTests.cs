using Larder.Server.Configuration;
using Larder.Server.Maintenance;
using Larder.Server.Metadata;
using Larder.Server.Metadata.Sqlite;
using Larder.Server.Storage.Folder;
using Larder.Server.Tests.Metadata;
using Larder.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Larder.Server.Tests.Maintenance;

public sealed class StagedUploadCleanerTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly TempDirectory _dir = new("larder-maint");
    private readonly SqliteMetadataStore _store;
    private readonly FolderBlobStore _blobs;
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly StagedUploadCleaner _cleaner;

    public StagedUploadCleanerTests()
    {
        _store = SqliteMetadataStore.ForFile(Path.Combine(_dir.Path, "m.db"));
        _blobs = new FolderBlobStore(Path.Combine(_dir.Path, "blobs"));
        var options = new LarderOptions { Maintenance = { StagedUploadTtl = TimeSpan.FromHours(1) } };
        _cleaner = new StagedUploadCleaner(_store, _blobs, Options.Create(options), _time, NullLogger<StagedUploadCleaner>.Instance);
    }

    private async Task PutBlobAsync(string key, DateTimeOffset modified)
    {
        var local = Path.Combine(_dir.Path, Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(local, key);
        await _blobs.PutFileAsync(key, local, Ct);
        File.SetLastWriteTimeUtc(Path.Combine(_blobs.Root, key), modified.UtcDateTime);
    }

    private async Task<bool> ExistsAsync(string key) => await _blobs.GetSizeAsync(key, Ct) is not null;

    [Fact]
    public async Task Expired_staged_uploads_go_with_their_unreferenced_blobs()
    {
        await _store.MigrateAsync(Ct);
        var now = _time.Now;
        var cache = await _store.CreateCacheAsync(MetadataSamples.Cache(), Ct);
        var expired = await _store.AddStagedNarAsync(MetadataSamples.Staged(cache.Id, "nar/old.nar", at: now.AddHours(-2)), Ct);
        var fresh = await _store.AddStagedNarAsync(MetadataSamples.Staged(cache.Id, "nar/new.nar", at: now.AddMinutes(-5)), Ct);
        // An expired upload whose NAR was also committed through another path: its chunk must stay.
        var shared = MetadataSamples.Nar();
        await _store.CommitPathAsync(MetadataSamples.Commit(cache.Id, nar: shared), Ct);
        var expiredShared = await _store.AddStagedNarAsync(MetadataSamples.Staged(cache.Id, "nar/shared.nar", shared, now.AddHours(-3)), Ct);
        foreach (var staged in new[] { expired, fresh, expiredShared })
        {
            await PutBlobAsync(staged.Chunks[0].StorageKey, now.AddHours(-3));
            await PutBlobAsync(staged.ListingKey!, now.AddHours(-3));
        }

        var result = await _cleaner.RunOnceAsync(Ct);

        Assert.Equal(2, result.StagedUploads);
        Assert.Equal(2, result.StagedBlobs);
        Assert.Null(await _store.GetStagedNarAsync(cache.Id, "nar/old.nar", Ct));
        Assert.Null(await _store.GetStagedNarAsync(cache.Id, "nar/shared.nar", Ct));
        Assert.NotNull(await _store.GetStagedNarAsync(cache.Id, "nar/new.nar", Ct));
        Assert.False(await ExistsAsync(expired.Chunks[0].StorageKey));
        Assert.False(await ExistsAsync(expired.ListingKey!));
        Assert.True(await ExistsAsync(fresh.Chunks[0].StorageKey));
        Assert.True(await ExistsAsync(shared.Chunks[0].StorageKey));
        Assert.True(await ExistsAsync(shared.ListingKey!));
    }

    [Fact]
    public async Task Old_orphan_blobs_are_deleted_but_recent_ones_and_logs_stay()
    {
        await _store.MigrateAsync(Ct);
        var now = _time.Now;
        await PutBlobAsync("chunks/orphan-old.zst", now.AddHours(-2));
        await PutBlobAsync("chunks/orphan-new.zst", now.AddMinutes(-10));
        await PutBlobAsync("listings/orphan-old.ls", now.AddHours(-2));
        await PutBlobAsync("logs/unreferenced.log", now.AddHours(-5));

        var result = await _cleaner.RunOnceAsync(Ct);

        Assert.Equal(2, result.OrphanBlobs);
        Assert.False(await ExistsAsync("chunks/orphan-old.zst"));
        Assert.False(await ExistsAsync("listings/orphan-old.ls"));
        Assert.True(await ExistsAsync("chunks/orphan-new.zst"));
        Assert.True(await ExistsAsync("logs/unreferenced.log"));
    }

    [Fact]
    public async Task A_pass_with_nothing_to_do_removes_nothing()
    {
        await _store.MigrateAsync(Ct);
        Assert.Equal(new CleanupResult(0, 0, 0), await _cleaner.RunOnceAsync(Ct));
    }

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }
}
