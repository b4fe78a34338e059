using System.Security.Cryptography;
using Amazon.S3.Model;
using Larder.Server.Configuration;
using Larder.Server.Errors;
using Larder.Server.Storage;
using Larder.Server.Storage.S3;
using Larder.Testing;

namespace Larder.Server.Tests.ScaleOut;

/// <summary>The S3 blob store against a real Ceph radosgw: uploads, ranges, listing, presigning, and faults.</summary>
public sealed class S3BlobStoreTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new("larder-s3");
    private S3TestBucket _bucket = null!;

    public async Task InitializeAsync() => _bucket = await S3TestBucket.CreateAsync();

    public async Task DisposeAsync()
    {
        await _bucket.DisposeAsync();
        _temp.Dispose();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100_000)]
    public async Task Put_then_read_returns_the_same_bytes(int size)
    {
        using var store = new S3BlobStore(_bucket.Options());
        var (file, hash) = WriteRandomFile(size);

        await store.PutFileAsync("chunks/a.zst", file, CancellationToken.None);

        Assert.Equal(size, await store.GetSizeAsync("chunks/a.zst", CancellationToken.None));
        Assert.Equal(hash, await HashBlobAsync(store, "chunks/a.zst", 0));
    }

    [Fact]
    public async Task Large_file_goes_up_in_parts_and_reads_back_whole()
    {
        var options = _bucket.Options();
        options.PartSizeMiB = 5;
        using var store = new S3BlobStore(options);
        var (file, hash) = WriteRandomFile((12 << 20) + 12345);

        await store.PutFileAsync("chunks/big.zst", file, CancellationToken.None);

        Assert.Equal((12 << 20) + 12345, await store.GetSizeAsync("chunks/big.zst", CancellationToken.None));
        Assert.Equal(hash, await HashBlobAsync(store, "chunks/big.zst", 0));
        Assert.Equal(0, (await _bucket.InspectAsync()).OpenUploads);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(9999)]
    [InlineData(10_000)]
    public async Task Read_from_offset_returns_the_tail(int offset)
    {
        using var store = new S3BlobStore(_bucket.Options());
        var (file, _) = WriteRandomFile(10_000);
        var expected = (await File.ReadAllBytesAsync(file))[offset..];

        await store.PutFileAsync("logs/x", file, CancellationToken.None);
        await using var stream = await store.OpenReadAsync("logs/x", offset, CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        Assert.Equal(expected, copy.ToArray());
    }

    [Fact]
    public async Task Read_past_the_end_is_rejected()
    {
        using var store = new S3BlobStore(_bucket.Options());
        var (file, _) = WriteRandomFile(100);
        await store.PutFileAsync("logs/short", file, CancellationToken.None);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.OpenReadAsync("logs/short", 101, CancellationToken.None));
    }

    [Fact]
    public async Task Missing_blob_is_BlobNotFound_on_read_and_null_on_size()
    {
        using var store = new S3BlobStore(_bucket.Options());

        var e = await Assert.ThrowsAsync<BlobNotFoundException>(() => store.OpenReadAsync("chunks/none.zst", 0, CancellationToken.None));
        Assert.Equal("chunks/none.zst", e.Key);
        Assert.Null(await store.GetSizeAsync("chunks/none.zst", CancellationToken.None));
    }

    [Fact]
    public async Task Delete_removes_the_blob_and_deleting_a_missing_blob_is_fine()
    {
        using var store = new S3BlobStore(_bucket.Options());
        var (file, _) = WriteRandomFile(10);
        await store.PutFileAsync("chunks/d.zst", file, CancellationToken.None);

        await store.DeleteAsync("chunks/d.zst", CancellationToken.None);
        await store.DeleteAsync("chunks/d.zst", CancellationToken.None);

        Assert.Null(await store.GetSizeAsync("chunks/d.zst", CancellationToken.None));
    }

    [Fact]
    public async Task List_pages_through_every_key_under_the_prefix()
    {
        using var store = new S3BlobStore(_bucket.Options()) { ListPageSize = 3 };
        var expected = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            var key = $"chunks/{i:D2}.zst";
            expected.Add(key);
            await store.PutFileAsync(key, WriteRandomFile(i).Path, CancellationToken.None);
        }
        await store.PutFileAsync("logs/other", WriteRandomFile(1).Path, CancellationToken.None);

        var listed = new List<BlobInfo>();
        await foreach (var blob in store.ListAsync("chunks/", CancellationToken.None))
        {
            listed.Add(blob);
        }

        Assert.Equal(expected, listed.Select(b => b.Key).Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), listed.OrderBy(b => b.Key, StringComparer.Ordinal).Select(b => b.Size));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/abs")]
    [InlineData("Upper/case")]
    [InlineData("")]
    public async Task Invalid_keys_are_rejected(string key)
    {
        using var store = new S3BlobStore(_bucket.Options());

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetSizeAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task Presigned_url_downloads_the_blob_when_enabled()
    {
        var options = _bucket.Options();
        options.PresignedDownloads = true;
        using var store = new S3BlobStore(options);
        var (file, _) = WriteRandomFile(5000);
        var bytes = await File.ReadAllBytesAsync(file);
        await store.PutFileAsync("chunks/p.zst", file, CancellationToken.None);

        var url = store.GetDirectDownloadUrl("chunks/p.zst", TimeSpan.FromMinutes(5));

        Assert.NotNull(url);
        using var http = new HttpClient();
        Assert.Equal(bytes, await http.GetByteArrayAsync(url));
    }

    [Fact]
    public void Presigned_url_is_null_when_disabled()
    {
        using var store = new S3BlobStore(_bucket.Options());

        Assert.Null(store.GetDirectDownloadUrl("chunks/p.zst", TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task Prepare_fails_clearly_when_the_bucket_is_missing_and_creates_it_when_asked()
    {
        await using var fresh = await S3TestBucket.CreateAsync(create: false);
        using var strict = new S3BlobStore(fresh.Options());

        var e = await Assert.ThrowsAsync<LarderConfigurationException>(() => strict.PrepareAsync(CancellationToken.None));
        Assert.Contains(fresh.Name, e.Message);
        Assert.Contains("CreateBucket", e.Message);

        var options = fresh.Options();
        options.CreateBucket = true;
        using var creating = new S3BlobStore(options);
        await creating.PrepareAsync(CancellationToken.None);
        await creating.PrepareAsync(CancellationToken.None);
        await creating.PutFileAsync("x", WriteRandomFile(3).Path, CancellationToken.None);
        Assert.Equal(3, await creating.GetSizeAsync("x", CancellationToken.None));
    }

    [Fact]
    public async Task Interrupted_multipart_uploads_older_than_the_age_are_aborted()
    {
        using var store = new S3BlobStore(_bucket.Options());
        await _bucket.Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _bucket.Name, Key = "chunks/dead.zst" });
        await store.PutFileAsync("chunks/live.zst", WriteRandomFile(10).Path, CancellationToken.None);

        Assert.Equal(0, await store.RemoveInterruptedWritesAsync(TimeSpan.FromHours(1), CancellationToken.None));
        Assert.Equal(1, (await _bucket.InspectAsync()).OpenUploads);

        Assert.Equal(1, await store.RemoveInterruptedWritesAsync(TimeSpan.Zero, CancellationToken.None));

        var (keys, openUploads) = await _bucket.InspectAsync();
        Assert.Equal(0, openUploads);
        Assert.Equal(["chunks/live.zst"], keys);
    }

    [Fact]
    public async Task Prepare_fails_clearly_on_a_wrong_secret()
    {
        var options = _bucket.Options();
        options.SecretKey = "not-the-secret";
        using var store = new S3BlobStore(options);

        var e = await Assert.ThrowsAsync<LarderConfigurationException>(() => store.PrepareAsync(CancellationToken.None));
        Assert.Contains("SecretKey", e.Message);
    }

    [Theory]
    [InlineData(null, "b", "x", "y", "ServiceUrl")]
    [InlineData("http://h:1", null, "x", "y", "Bucket")]
    [InlineData("ftp://h", "b", "x", "y", "ServiceUrl")]
    [InlineData("http://h:1", "b", null, null, "AWS_ACCESS_KEY_ID")]
    public void Invalid_configuration_names_the_key(string? url, string? bucket, string? access, string? secret, string expected)
    {
        var options = new S3StorageOptions { ServiceUrl = url ?? "not a url", Bucket = bucket, AccessKey = access, SecretKey = secret };
        // Credentials may also come from the environment: only check the no-credentials case when none are set there.
        if (access is null && Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") is not null)
        {
            return;
        }

        var e = Assert.Throws<LarderConfigurationException>(() => new S3BlobStore(options));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task Store_stopping_mid_upload_fails_clearly_leaves_nothing_and_a_retry_succeeds()
    {
        await using var proxy = new TcpFaultProxy(new Uri(_bucket.Endpoint.ServiceUrl));
        var options = _bucket.Options(proxy.Url);
        options.PartSizeMiB = 5;
        options.UploadConcurrency = 1;
        options.MaxRetries = 1;
        using var store = new S3BlobStore(options);
        var (file, hash) = WriteRandomFile(16 << 20);
        var copy = Path.Combine(_temp.Path, "copy");
        File.Copy(file, copy);

        proxy.BreakAfterUpstreamBytes(7 << 20);
        var e = await Assert.ThrowsAsync<LarderException>(() => store.PutFileAsync("chunks/cut.zst", file, CancellationToken.None));

        Assert.Equal(ErrorKind.Unavailable, e.Kind);
        Assert.Contains("unavailable", e.Message);
        proxy.Restore();
        Assert.Null(await store.GetSizeAsync("chunks/cut.zst", CancellationToken.None));
        Assert.DoesNotContain("chunks/cut.zst", (await _bucket.InspectAsync()).Keys);

        await store.PutFileAsync("chunks/cut.zst", copy, CancellationToken.None);
        Assert.Equal(hash, await HashBlobAsync(store, "chunks/cut.zst", 0));
    }

    [Fact]
    public async Task Small_put_to_an_unreachable_store_is_unavailable_and_stores_nothing()
    {
        await using var proxy = new TcpFaultProxy(new Uri(_bucket.Endpoint.ServiceUrl));
        var options = _bucket.Options(proxy.Url);
        options.MaxRetries = 1;
        using var store = new S3BlobStore(options);
        proxy.Break();

        var e = await Assert.ThrowsAsync<LarderException>(() => store.PutFileAsync("chunks/s.zst", WriteRandomFile(1000).Path, CancellationToken.None));

        Assert.Equal(ErrorKind.Unavailable, e.Kind);
        Assert.DoesNotContain("chunks/s.zst", (await _bucket.InspectAsync()).Keys);
    }

    [Fact]
    public async Task Connection_dropped_mid_read_throws_instead_of_ending_early()
    {
        await using var proxy = new TcpFaultProxy(new Uri(_bucket.Endpoint.ServiceUrl));
        var options = _bucket.Options(proxy.Url);
        options.MaxRetries = 0;
        using var store = new S3BlobStore(options);
        await store.PutFileAsync("chunks/r.zst", WriteRandomFile(8 << 20).Path, CancellationToken.None);

        await using var stream = await store.OpenReadAsync("chunks/r.zst", 0, CancellationToken.None);
        var buffer = new byte[64 * 1024];
        Assert.True(await stream.ReadAsync(buffer) > 0);
        proxy.Break();

        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            while (await stream.ReadAsync(buffer) > 0)
            {
            }
        });
    }

    private (string Path, string Sha256) WriteRandomFile(int size)
    {
        var path = Path.Combine(_temp.Path, Guid.NewGuid().ToString("N"));
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        return (path, Convert.ToHexString(SHA256.HashData(bytes)));
    }

    private static async Task<string> HashBlobAsync(IBlobStore store, string key, long offset)
    {
        await using var stream = await store.OpenReadAsync(key, offset, CancellationToken.None);
        return Convert.ToHexString(await SHA256.HashDataAsync(stream));
    }
}
