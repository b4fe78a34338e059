using Larder.Server.Access;
using Larder.Server.Metadata.Sqlite;
using Larder.Server.Tests.Metadata;
using Larder.Testing;

namespace Larder.Server.Tests.Maintenance;

public sealed class AccessRecorderTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly TempDirectory _dir = new("larder-access");
    private readonly SqliteMetadataStore _store;

    public AccessRecorderTests() => _store = SqliteMetadataStore.ForFile(Path.Combine(_dir.Path, "m.db"));

    [Fact]
    public async Task Recorded_accesses_are_written_once_per_path_at_flush()
    {
        await _store.MigrateAsync(Ct);
        var cache = await _store.CreateCacheAsync(MetadataSamples.Cache(), Ct);
        var a = MetadataSamples.Commit(cache.Id);
        var b = MetadataSamples.Commit(cache.Id);
        await _store.CommitNewAsync(a, Ct);
        await _store.CommitNewAsync(b, Ct);
        var time = new ManualTimeProvider(MetadataSamples.T0.AddDays(1));
        var recorder = new AccessRecorder(_store, time);

        recorder.Record(cache.Id, a.HashPart);
        recorder.Record(cache.Id, a.HashPart);
        recorder.Record(cache.Id, a.HashPart);
        Assert.Equal(1, recorder.PendingCount);
        Assert.Equal(MetadataSamples.T0, (await _store.GetPathAsync(cache.Id, a.HashPart, Ct))!.Path.LastAccessedAt);

        Assert.Equal(1, await recorder.FlushAsync(Ct));
        Assert.Equal(0, await recorder.FlushAsync(Ct));

        Assert.Equal(time.Now, (await _store.GetPathAsync(cache.Id, a.HashPart, Ct))!.Path.LastAccessedAt);
        Assert.Equal(MetadataSamples.T0, (await _store.GetPathAsync(cache.Id, b.HashPart, Ct))!.Path.LastAccessedAt);
    }

    [Fact]
    public async Task A_failed_flush_keeps_the_marks_for_the_next_one()
    {
        // No migration: the table is missing, so the write fails.
        var recorder = new AccessRecorder(_store, TimeProvider.System);
        recorder.Record(1, MetadataSamples.HashPart());

        await Assert.ThrowsAnyAsync<Exception>(() => recorder.FlushAsync(Ct));

        Assert.Equal(1, recorder.PendingCount);
    }

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }
}
