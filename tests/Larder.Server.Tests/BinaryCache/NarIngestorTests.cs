using Larder.Nix.Compression;
using Larder.Nix.Hashing;
using Larder.Server.Errors;
using Larder.Server.Ingest;
using Larder.Server.Metadata;
using Larder.Server.Metadata.Sqlite;
using Larder.Server.Storage.Chunks;
using Larder.Server.Storage.Folder;
using Larder.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Larder.Server.Tests.BinaryCache;

public sealed class NarIngestorTests : IAsyncLifetime, IDisposable
{
    private const long Limit = 16L << 20;
    private readonly TempDirectory _dir = new("larder-ingest");
    private FolderBlobStore _blobs = null!;
    private SqliteMetadataStore _metadata = null!;
    private StagingArea _staging = null!;
    private NarIngestor _ingestor = null!;

    public async Task InitializeAsync()
    {
        _blobs = new FolderBlobStore(Path.Combine(_dir.Path, "blobs"));
        _metadata = SqliteMetadataStore.ForFile(Path.Combine(_dir.Path, "larder.db"));
        await _metadata.MigrateAsync(CancellationToken.None);
        _staging = new StagingArea(Path.Combine(_dir.Path, "staging"));
        // Every listing stored, as for a NAR above Larder:Chunking:DerivedListingThreshold (tests/…/Listings cover small ones).
        var options = Microsoft.Extensions.Options.Options.Create(
            new Larder.Server.Configuration.LarderOptions { Chunking = new() { DerivedListingThreshold = 0 } });
        var chunks = new ChunkStore(_blobs, _metadata, _staging, options, TimeProvider.System);
        _ingestor = new NarIngestor(chunks, _metadata, NullLogger<NarIngestor>.Instance);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _metadata.Dispose();
        _dir.Dispose();
    }

    public static TheoryData<CompressionKind> Compressions() =>
        new(CompressionKind.None, CompressionKind.Xz, CompressionKind.Zstd, CompressionKind.Bzip2, CompressionKind.Brotli, CompressionKind.Gzip);

    [Theory]
    [MemberData(nameof(Compressions))]
    public async Task Ingest_accepts_every_compression_and_reports_nar_and_upload_hashes(CompressionKind kind)
    {
        var nar = await NarFixtures.TreeAsync();
        var body = await NarFixtures.CompressAsync(nar, kind);

        var result = await _ingestor.IngestAsync(new MemoryStream(body), kind, Limit, CancellationToken.None);

        Assert.Equal(NarFixtures.Sha256(nar), result.NarHash);
        Assert.Equal(nar.Length, result.NarSize);
        Assert.Equal(NarFixtures.Sha256(body), result.UploadFileHash);
        Assert.Equal(body.Length, result.UploadFileSize);
        Assert.Empty(Directory.EnumerateFiles(_staging.Directory));
    }

    [Fact]
    public async Task Ingest_stores_one_zstd_chunk_whose_bytes_are_the_file_form()
    {
        var nar = await NarFixtures.TreeAsync();

        var result = await _ingestor.IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, CancellationToken.None);

        var chunk = Assert.Single(result.Chunks);
        var name = NixHash.Parse(result.NarHash).ToBase32();
        Assert.Matches($"^chunks/{name[..2]}/{name}-[0-9a-f]{{12}}\\.zst$", chunk.StorageKey);
        var stored = await ReadBlobAsync(chunk.StorageKey);
        Assert.Equal(result.FileSize, stored.Length);
        Assert.Equal(result.FileHash, NarFixtures.Sha256(stored));
        Assert.Equal(nar, await NarFixtures.DecompressAsync(stored, CompressionKind.Zstd));
    }

    [Fact]
    public async Task Ingest_writes_nix_listing_with_file_sizes_and_offsets()
    {
        var nar = await NarFixtures.TreeAsync();

        var result = await _ingestor.IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, CancellationToken.None);

        var listing = System.Text.Encoding.UTF8.GetString(await ReadBlobAsync(result.ListingKey!));
        Assert.StartsWith("{\"version\":1,\"root\":{\"type\":\"directory\",\"entries\":{", listing);
        Assert.Contains("\"greeting\":{\"type\":\"regular\",\"size\":5,\"narOffset\":", listing);
        Assert.Contains("\"tool\":{\"type\":\"regular\",\"size\":", listing);
        Assert.Contains("\"executable\":true", listing);
        Assert.Contains("\"link\":{\"type\":\"symlink\",\"target\":\"greeting\"}", listing);
    }

    [Fact]
    public async Task Ingest_reuses_the_stored_chunk_of_a_nar_already_committed()
    {
        var nar = await NarFixtures.TreeAsync("dedup");
        var first = await _ingestor.IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, CancellationToken.None);
        var cache = await _metadata.CreateCacheAsync(
            new CacheRecord(0, "dedup", true, 40, "/nix/store", "k:x", [], DateTimeOffset.UtcNow), CancellationToken.None);
        await _metadata.CommitPathAsync(
            new CommitRequest(cache.Id, new string('a', 32), "/nix/store/" + new string('a', 32) + "-x", first.ToNarRecord(DateTimeOffset.UtcNow),
                [], null, [], null, null, null, DateTimeOffset.UtcNow),
            CancellationToken.None);

        var xz = await NarFixtures.CompressAsync(nar, CompressionKind.Xz);
        var second = await _ingestor.IngestAsync(new MemoryStream(xz), CompressionKind.Xz, Limit, CancellationToken.None);

        Assert.Equal(first.Chunks, second.Chunks);
        Assert.Equal(first.FileHash, second.FileHash);
        Assert.Equal(NarFixtures.Sha256(xz), second.UploadFileHash);
    }

    public static TheoryData<string, Func<byte[], byte[]>, string> Malformed() => new()
    {
        { "bad magic", nar => [.. nar.Take(8), .. "nix-archive-2"u8.ToArray(), .. nar.Skip(21)], "offset 0" },
        { "truncated", nar => nar[..(nar.Length - 9)], "offset" },
        { "trailing data", nar => [.. nar, .. new byte[8]], "offset" },
        { "not a NAR", _ => "just some text, not an archive at all"u8.ToArray(), "offset 0" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task Ingest_rejects_malformed_nar_with_400_naming_the_offset_and_stores_nothing(string what, Func<byte[], byte[]> corrupt, string expected)
    {
        var nar = corrupt(await NarFixtures.TreeAsync());

        var error = await Assert.ThrowsAnyAsync<LarderException>(
            () => _ingestor.IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, CancellationToken.None));

        Assert.Equal(ErrorKind.BadRequest, error.Kind);
        Assert.Contains("invalid NAR", error.Message);
        Assert.Contains(expected, error.Message);
        AssertNothingStored(what);
    }

    [Fact]
    public async Task Ingest_rejects_a_corrupt_compressed_stream_with_400()
    {
        var body = await NarFixtures.CompressAsync(await NarFixtures.TreeAsync(), CompressionKind.Zstd);
        body[body.Length / 2] ^= 0xff;
        body[(body.Length / 2) + 1] ^= 0xff;

        var error = await Assert.ThrowsAnyAsync<LarderException>(
            () => _ingestor.IngestAsync(new MemoryStream(body), CompressionKind.Zstd, Limit, CancellationToken.None));

        Assert.Equal(ErrorKind.BadRequest, error.Kind);
        AssertNothingStored("corrupt zstd");
    }

    [Fact]
    public async Task Ingest_rejects_a_body_over_the_limit_with_413()
    {
        var nar = await NarFixtures.FileAsync(200_000);

        var error = await Assert.ThrowsAnyAsync<LarderException>(
            () => _ingestor.IngestAsync(new MemoryStream(nar), CompressionKind.None, 100_000, CancellationToken.None));

        Assert.Equal(ErrorKind.PayloadTooLarge, error.Kind);
        Assert.Contains("100000", error.Message);
        AssertNothingStored("oversized");
    }

    [Fact]
    public async Task Ingest_rejects_a_decompression_bomb_with_413()
    {
        // 32 MiB of one byte compresses to a few KiB: well under the limit as sent, far over it expanded.
        var bomb = await NarFixtures.CompressAsync(await NarFixtures.FileAsync(32L << 20), CompressionKind.Zstd);
        Assert.True(bomb.Length < 1_000_000);

        var error = await Assert.ThrowsAnyAsync<LarderException>(
            () => _ingestor.IngestAsync(new MemoryStream(bomb), CompressionKind.Zstd, 1_000_000, CancellationToken.None));

        Assert.Equal(ErrorKind.PayloadTooLarge, error.Kind);
        Assert.Contains("uncompressed NAR", error.Message);
        AssertNothingStored("bomb");
    }

    [Fact]
    public async Task Ingest_rejects_an_upload_whose_hash_is_not_the_one_its_url_names()
    {
        var nar = await NarFixtures.TreeAsync();
        var other = NixHash.Compute(HashKind.Sha256, "something else"u8);

        var error = await Assert.ThrowsAnyAsync<LarderException>(
            () => _ingestor.IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, other, CancellationToken.None));

        Assert.Equal(ErrorKind.BadRequest, error.Kind);
        Assert.Contains(other.ToNix32String(), error.Message);
        AssertNothingStored("hash mismatch");
    }

    private void AssertNothingStored(string what)
    {
        Assert.True(!Directory.EnumerateFiles(_staging.Directory).Any(), $"{what}: staging folder not empty");
        var blobs = Directory.EnumerateFiles(_blobs.Root, "*", SearchOption.AllDirectories);
        Assert.True(!blobs.Any(), $"{what}: blobs were stored: {string.Join(", ", blobs)}");
    }

    private async Task<byte[]> ReadBlobAsync(string key)
    {
        await using var input = await _blobs.OpenReadAsync(key, 0, CancellationToken.None);
        using var copy = new MemoryStream();
        await input.CopyToAsync(copy);
        return copy.ToArray();
    }
}
