using Larder.Server.Configuration;
using Larder.Server.Storage;
using Larder.Server.Storage.Folder;
using Larder.Testing;

namespace Larder.Server.Tests.Storage;

/// <summary>The conformance suite on <see cref="FolderBlobStore"/>, plus what only a folder can show.</summary>
public sealed class FolderBlobStoreTests : BlobStoreConformance
{
    private readonly TempDirectory _root = new("larder-folder");

    protected override Task<IBlobStore> CreateStoreAsync() =>
        Task.FromResult<IBlobStore>(new FolderBlobStore(Path.Combine(_root.Path, Guid.NewGuid().ToString("N"))));

    [Fact]
    public async Task Blobs_live_under_the_root_by_key_and_no_temp_file_remains()
    {
        var root = Path.Combine(_root.Path, "plain");
        var store = new FolderBlobStore(root);
        var (path, bytes) = LocalFile(1000);

        await store.PutFileAsync("chunks/ab/x.zst", path, CancellationToken.None);

        Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(root, "chunks", "ab", "x.zst")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(root, ".tmp")));
    }

    [Fact]
    public async Task The_temp_folder_is_not_reachable_as_a_key()
    {
        var store = new FolderBlobStore(Path.Combine(_root.Path, "tmpkey"));
        await Assert.ThrowsAsync<ArgumentException>(() => store.OpenReadAsync(".tmp/x", 0, CancellationToken.None));
    }

    [Fact]
    public async Task Reading_past_the_end_is_an_error_naming_the_size()
    {
        var store = new FolderBlobStore(Path.Combine(_root.Path, "past"));
        await store.PutFileAsync("chunks/p.zst", LocalFile(10).Path, CancellationToken.None);
        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.OpenReadAsync("chunks/p.zst", 11, CancellationToken.None));
        Assert.Contains("10 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stale_temp_files_are_removed_as_interrupted_writes()
    {
        var root = Path.Combine(_root.Path, "stale");
        var store = new FolderBlobStore(root);
        await store.PrepareAsync(CancellationToken.None);
        var stale = Path.Combine(root, ".tmp", "leftover");
        File.WriteAllText(stale, "x");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddDays(-1));
        File.WriteAllText(Path.Combine(root, ".tmp", "recent"), "y");

        Assert.Equal(1, await store.RemoveInterruptedWritesAsync(TimeSpan.FromHours(1), CancellationToken.None));
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(Path.Combine(root, ".tmp", "recent")));
    }

    [Fact]
    public async Task A_put_of_an_old_file_is_stamped_with_its_own_time_so_it_never_looks_interrupted()
    {
        var store = new FolderBlobStore(Path.Combine(_root.Path, "old-source"));
        var (path, _) = LocalFile(100);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddDays(-1));
        var before = DateTime.UtcNow.AddSeconds(-1);

        await store.PutFileAsync("chunks/o.zst", path, CancellationToken.None);

        var blob = Assert.Single(await store.ListAsync("chunks/", CancellationToken.None).ToListAsync());
        Assert.True(blob.LastModified >= before, $"the blob kept its source's time {blob.LastModified:O}");
    }

    [Fact]
    public async Task Prepare_creates_a_removed_folder_again()
    {
        var root = Path.Combine(_root.Path, "removed", "blobs");
        var store = new FolderBlobStore(root);
        Directory.Delete(root, recursive: true);

        await store.PrepareAsync(CancellationToken.None);

        Assert.True(Directory.Exists(Path.Combine(root, ".tmp")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(root, ".tmp")));
    }

    [Fact]
    public async Task Prepare_fails_clearly_when_the_folder_cannot_be_created()
    {
        var store = new FolderBlobStore(Path.Combine(_root.Path, "blocked", "blobs"));
        Directory.Delete(Path.Combine(_root.Path, "blocked"), recursive: true);
        File.WriteAllText(Path.Combine(_root.Path, "blocked"), "not a folder");

        var e = await Assert.ThrowsAsync<LarderConfigurationException>(() => store.PrepareAsync(CancellationToken.None));

        Assert.Contains(Path.Combine(_root.Path, "blocked", "blobs"), e.Message, StringComparison.Ordinal);
        Assert.Contains("Larder:Storage:Folder:Path", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("chunks/ab.cd-ef_g/x.zst", true)]
    [InlineData("a", true)]
    [InlineData("chunks/../x", false)]
    [InlineData("chunks/x/", false)]
    [InlineData("chunks\\x", false)]
    [InlineData("chunks/x y", false)]
    public void BlobKeys_accepts_only_safe_keys(string key, bool valid) => Assert.Equal(valid, BlobKeys.IsValid(key));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _root.Dispose();
        }
        base.Dispose(disposing);
    }
}
