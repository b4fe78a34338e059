using Larder.Nix.Compression;
using Larder.Server.Configuration;
using Larder.Server.Errors;
using Larder.Server.Ingest;
using Larder.Server.Listings;
using Larder.Server.Metadata.Sqlite;
using Larder.Server.Storage.Chunks;
using Larder.Server.Storage.Folder;
using Larder.Server.Tests.BinaryCache;
using Larder.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Larder.Server.Tests.Listings;

/// <summary>
/// Small NARs stored without a listing blob (<c>Larder:Chunking:DerivedListingThreshold</c>) and their listings derived on
/// read, against the listing an ingest stores, on a real SQLite database and blob folder.
/// </summary>
public sealed class NarListingsTests : IAsyncLifetime, IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private const long Limit = 16L << 20;
    private readonly TempDirectory _dir = new("larder-listings");
    private FolderBlobStore _blobs = null!;
    private SqliteMetadataStore _metadata = null!;
    private StagingArea _staging = null!;

    public async Task InitializeAsync()
    {
        _blobs = new FolderBlobStore(Path.Combine(_dir.Path, "blobs"));
        _metadata = SqliteMetadataStore.ForFile(Path.Combine(_dir.Path, "larder.db"));
        await _metadata.MigrateAsync(Ct);
        _staging = new StagingArea(Path.Combine(_dir.Path, "staging"));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _metadata.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_small_nar_is_stored_without_a_listing_blob_and_its_derived_listing_is_the_one_an_ingest_stores()
    {
        var nar = await NarFixtures.TreeAsync("small");
        var (small, listings) = Open(new ChunkingSettings());
        var (everyListing, _) = Open(new ChunkingSettings { DerivedListingThreshold = 0 });

        var derived = await small.IngestAsync(new MemoryStream(await NarFixtures.CompressAsync(nar, CompressionKind.Xz)), CompressionKind.Xz, Limit, Ct);
        var stored = await everyListing.IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, Ct);

        Assert.Null(derived.ListingKey);
        Assert.Equal([stored.ListingKey!], await BlobKeysAsync("listings/"));
        var body = await listings.OpenAsync(derived.ToNarRecord(DateTimeOffset.UtcNow), Ct);
        Assert.NotNull(body);
        var bytes = await ReadAsync(body);
        Assert.Equal(body.Length, bytes.Length);
        Assert.Equal(await ReadBlobAsync(stored.ListingKey!), bytes);
        Assert.Contains("\"link\":{\"type\":\"symlink\",\"target\":\"greeting\"}", System.Text.Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public async Task A_nar_above_the_threshold_keeps_its_stored_listing()
    {
        var nar = await NarFixtures.FileAsync(300_000);
        var (ingestor, listings) = Open(new ChunkingSettings());

        var ingested = await ingestor.IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, Ct);

        Assert.NotNull(ingested.ListingKey);
        var body = await listings.OpenAsync(ingested.ToNarRecord(DateTimeOffset.UtcNow), Ct);
        Assert.Equal(await ReadBlobAsync(ingested.ListingKey), await ReadAsync(body!));
    }

    [Fact]
    public async Task A_nar_too_large_to_derive_from_without_a_stored_listing_has_none()
    {
        var nar = await NarFixtures.FileAsync(NarListings.MaxDerivedNarSize + 1);
        var (ingestor, listings) = Open(new ChunkingSettings { DerivedListingThreshold = 0 });
        var ingested = await ingestor.IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, Ct);

        var body = await listings.OpenAsync(ingested.ToNarRecord(DateTimeOffset.UtcNow) with { ListingKey = null }, Ct);

        Assert.Null(body);
    }

    [Fact]
    public async Task A_small_nar_whose_chunk_is_gone_is_a_storage_fault_naming_it()
    {
        var (ingestor, listings) = Open(new ChunkingSettings());
        var ingested = await ingestor.IngestAsync(new MemoryStream(await NarFixtures.TreeAsync("gone")), CompressionKind.None, Limit, Ct);
        await _blobs.DeleteAsync(ingested.Chunks[0].StorageKey, Ct);

        var e = await Assert.ThrowsAsync<StoredDataMissingException>(() => listings.OpenAsync(ingested.ToNarRecord(DateTimeOffset.UtcNow), Ct));

        Assert.Equal(ErrorKind.StorageFault, e.Kind);
        Assert.Contains(ingested.Chunks[0].Hash, e.Missing, StringComparison.Ordinal);
    }

    private (NarIngestor Ingestor, NarListings Listings) Open(ChunkingSettings chunking)
    {
        var options = Microsoft.Extensions.Options.Options.Create(new LarderOptions { Chunking = chunking });
        var chunks = new ChunkStore(_blobs, _metadata, _staging, options, TimeProvider.System);
        return (new NarIngestor(chunks, _metadata, NullLogger<NarIngestor>.Instance), new NarListings(chunks, _blobs));
    }

    private async Task<List<string>> BlobKeysAsync(string prefix)
    {
        var keys = new List<string>();
        await foreach (var blob in _blobs.ListAsync(prefix, Ct))
        {
            keys.Add(blob.Key);
        }
        return keys;
    }

    private static async Task<byte[]> ReadAsync(NarListingBody body)
    {
        await using var input = await body.OpenAsync(Ct);
        using var copy = new MemoryStream();
        await input.CopyToAsync(copy);
        return copy.ToArray();
    }

    private async Task<byte[]> ReadBlobAsync(string key)
    {
        await using var input = await _blobs.OpenReadAsync(key, 0, Ct);
        using var copy = new MemoryStream();
        await input.CopyToAsync(copy);
        return copy.ToArray();
    }
}
