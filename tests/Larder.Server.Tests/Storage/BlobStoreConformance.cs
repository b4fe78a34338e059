using System.Security.Cryptography;
using Larder.Server.Storage;
using Larder.Testing;

namespace Larder.Server.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="IBlobStore"/> must have. Subclass it per backend and implement
/// <see cref="CreateStoreAsync"/> to return an empty store (a fresh folder, bucket or key prefix) for each call.
/// </summary>
public abstract class BlobStoreConformance : IDisposable
{
    private readonly TempDirectory _local = new("larder-blob-src");

    /// <summary>A new, empty store.</summary>
    protected abstract Task<IBlobStore> CreateStoreAsync();

    private static CancellationToken Ct => CancellationToken.None;

    /// <summary>A local file with <paramref name="size"/> random bytes, and those bytes.</summary>
    protected (string Path, byte[] Bytes) LocalFile(int size)
    {
        var bytes = RandomNumberGenerator.GetBytes(size);
        var path = Path.Combine(_local.Path, Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, bytes);
        return (path, bytes);
    }

    protected static async Task<byte[]> ReadAllAsync(IBlobStore store, string key, long offset = 0)
    {
        await using var stream = await store.OpenReadAsync(key, offset, Ct);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task Prepare_can_run_again_and_leaves_blobs_alone()
    {
        var store = await CreateStoreAsync();
        var (path, bytes) = LocalFile(10);
        await store.PrepareAsync(Ct);
        await store.PutFileAsync("chunks/ab/p.zst", path, Ct);

        await store.PrepareAsync(Ct);

        Assert.Equal(bytes, await ReadAllAsync(store, "chunks/ab/p.zst"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(300_000)]
    public async Task PutBytes_stores_exactly_the_given_slice_of_memory_and_replaces_an_earlier_blob(int size)
    {
        var store = await CreateStoreAsync();
        await store.PutFileAsync("chunks/ab/mem.zst", LocalFile(100).Path, Ct);
        var buffer = RandomNumberGenerator.GetBytes(size + 20);

        await store.PutBytesAsync("chunks/ab/mem.zst", buffer.AsMemory(10, size), Ct);

        Assert.Equal(buffer.AsSpan(10, size).ToArray(), await ReadAllAsync(store, "chunks/ab/mem.zst"));
        Assert.Equal(size, await store.GetSizeAsync("chunks/ab/mem.zst", Ct));
        Assert.Equal(0, await store.RemoveInterruptedWritesAsync(TimeSpan.Zero, Ct));
    }

    [Fact]
    public async Task Removing_interrupted_writes_keeps_every_stored_blob()
    {
        var store = await CreateStoreAsync();
        await store.PutFileAsync("chunks/ab/kept.zst", LocalFile(1000).Path, Ct);

        Assert.Equal(0, await store.RemoveInterruptedWritesAsync(TimeSpan.Zero, Ct));

        Assert.Equal(1000, await store.GetSizeAsync("chunks/ab/kept.zst", Ct));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100_000)]
    [InlineData(5 * 1024 * 1024 + 17)]
    public async Task Put_then_read_returns_the_same_bytes(int size)
    {
        var store = await CreateStoreAsync();
        var (path, bytes) = LocalFile(size);

        await store.PutFileAsync("chunks/ab/cd.zst", path, Ct);

        Assert.Equal(bytes, await ReadAllAsync(store, "chunks/ab/cd.zst"));
        Assert.Equal(size, await store.GetSizeAsync("chunks/ab/cd.zst", Ct));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4095)]
    [InlineData(9999)]
    [InlineData(10_000)]
    public async Task Read_from_an_offset_returns_the_tail(int offset)
    {
        var store = await CreateStoreAsync();
        var (path, bytes) = LocalFile(10_000);
        await store.PutFileAsync("chunks/offset.zst", path, Ct);

        Assert.Equal(bytes[offset..], await ReadAllAsync(store, "chunks/offset.zst", offset));
    }

    [Fact]
    public async Task Put_replaces_an_existing_blob_whole()
    {
        var store = await CreateStoreAsync();
        await store.PutFileAsync("logs/a.log", LocalFile(50_000).Path, Ct);
        var (path, bytes) = LocalFile(10);

        await store.PutFileAsync("logs/a.log", path, Ct);

        Assert.Equal(bytes, await ReadAllAsync(store, "logs/a.log"));
    }

    [Fact]
    public async Task Missing_blob_read_throws_BlobNotFoundException_and_has_no_size()
    {
        var store = await CreateStoreAsync();
        var e = await Assert.ThrowsAsync<BlobNotFoundException>(() => store.OpenReadAsync("chunks/missing.zst", 0, Ct));
        Assert.Equal("chunks/missing.zst", e.Key);
        Assert.Null(await store.GetSizeAsync("chunks/missing.zst", Ct));
    }

    [Fact]
    public async Task Deleting_a_key_never_written_in_a_folder_never_written_is_fine()
    {
        var store = await CreateStoreAsync();

        await store.DeleteAsync("chunks/zz/never-written.zst", Ct);

        Assert.Null(await store.GetSizeAsync("chunks/zz/never-written.zst", Ct));
    }

    [Fact]
    public async Task Delete_removes_the_blob_and_deleting_again_is_fine()
    {
        var store = await CreateStoreAsync();
        await store.PutFileAsync("chunks/d.zst", LocalFile(10).Path, Ct);

        await store.DeleteAsync("chunks/d.zst", Ct);
        await store.DeleteAsync("chunks/d.zst", Ct);

        Assert.Null(await store.GetSizeAsync("chunks/d.zst", Ct));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => store.OpenReadAsync("chunks/d.zst", 0, Ct));
    }

    [Fact]
    public async Task List_returns_the_blobs_under_a_prefix_with_sizes()
    {
        var store = await CreateStoreAsync();
        await store.PutFileAsync("chunks/aa/1.zst", LocalFile(11).Path, Ct);
        await store.PutFileAsync("chunks/bb/2.zst", LocalFile(22).Path, Ct);
        await store.PutFileAsync("listings/1.ls", LocalFile(33).Path, Ct);
        var before = DateTimeOffset.UtcNow.AddMinutes(-5);

        var chunks = new List<BlobInfo>();
        await foreach (var blob in store.ListAsync("chunks/", Ct))
        {
            chunks.Add(blob);
        }
        var all = new List<BlobInfo>();
        await foreach (var blob in store.ListAsync("", Ct))
        {
            all.Add(blob);
        }

        Assert.Equal(["chunks/aa/1.zst", "chunks/bb/2.zst"], chunks.Select(b => b.Key).Order());
        Assert.Equal([11L, 22L], chunks.OrderBy(b => b.Key).Select(b => b.Size));
        Assert.All(chunks, b => Assert.True(b.LastModified > before));
        Assert.Equal(["chunks/aa/1.zst", "chunks/bb/2.zst", "listings/1.ls"], all.Select(b => b.Key).Order());
    }

    [Fact]
    public async Task List_of_an_unused_prefix_is_empty()
    {
        var store = await CreateStoreAsync();
        await foreach (var blob in store.ListAsync("nothing/", Ct))
        {
            Assert.Fail($"unexpected blob {blob.Key}");
        }
    }

    [Fact]
    public async Task Concurrent_puts_of_one_key_leave_one_complete_blob()
    {
        var store = await CreateStoreAsync();
        var files = Enumerable.Range(0, 6).Select(_ => LocalFile(256 * 1024)).ToList();

        await Task.WhenAll(files.Select(f => Task.Run(() => store.PutFileAsync("chunks/race.zst", f.Path, Ct))));

        var stored = await ReadAllAsync(store, "chunks/race.zst");
        Assert.Contains(files, f => f.Bytes.AsSpan().SequenceEqual(stored));
    }

    [Fact]
    public async Task A_failed_put_leaves_no_blob()
    {
        var store = await CreateStoreAsync();
        var missingSource = Path.Combine(_local.Path, "does-not-exist");

        await Assert.ThrowsAnyAsync<Exception>(() => store.PutFileAsync("chunks/failed.zst", missingSource, Ct));

        Assert.Null(await store.GetSizeAsync("chunks/failed.zst", Ct));
        await foreach (var blob in store.ListAsync("", Ct))
        {
            Assert.Fail($"unexpected blob {blob.Key}");
        }
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("chunks/../../escape")]
    [InlineData("/etc/passwd")]
    [InlineData("chunks//double")]
    [InlineData("Chunks/Upper")]
    [InlineData("chunks/./x")]
    [InlineData("")]
    public async Task Invalid_keys_are_rejected(string key)
    {
        var store = await CreateStoreAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutFileAsync(key, LocalFile(1).Path, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.OpenReadAsync(key, 0, Ct));
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _local.Dispose();
        }
    }
}
