using Larder.Nix.Compression;
using Larder.Nix.Hashing;
using Larder.Server.Configuration;
using Larder.Server.Errors;
using Larder.Server.Ingest;
using Larder.Server.Maintenance.Reaping;
using Larder.Server.Metadata;
using Larder.Server.Metadata.Relational;
using Larder.Server.Storage;
using Larder.Server.Storage.Chunks;
using Larder.Server.Tests.Api.Chunks;
using Larder.Server.Tests.BinaryCache;
using Larder.Server.Tests.Maintenance;
using Larder.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using static Larder.Server.Tests.Metadata.MetadataSamples;

namespace Larder.Server.Tests.Storage.Chunks;

/// <summary>
/// Chunked storage on every metadata and blob backend: <see cref="ChunkStore"/>, chunked ingest through
/// <see cref="NarIngestor"/> and the reaper, with a clock the test sets. Subclasses open a fresh database and blob store.
/// </summary>
public abstract partial class ChunkStorageConformance : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private const long Limit = 64L << 20;
    private readonly TempDirectory _dir = new("larder-chunks");
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly LarderOptions _options = new()
    {
        Chunking = new ChunkingSettings
        {
            MinSize = ChunkedPush.Options.MinSize,
            AverageSize = ChunkedPush.Options.AverageSize,
            MaxSize = ChunkedPush.Options.MaxSize,
            SingleChunkThreshold = ChunkedPush.Options.SingleChunkThreshold,
            // These tests follow the listing blob's intent and reaping; NarListingsTests cover NARs stored without one.
            DerivedListingThreshold = 0,
        },
    };

    /// <summary>A folder deleted with the test.</summary>
    protected string Scratch => _dir.Path;

    /// <summary>A migrated, empty store on a new database, using <paramref name="time"/>.</summary>
    protected abstract Task<RelationalMetadataStore> CreateStoreAsync(TimeProvider time);

    /// <summary>A fresh, empty blob store.</summary>
    protected abstract Task<IBlobStore> CreateBlobStoreAsync();

    [Fact]
    public async Task A_large_nar_is_stored_as_many_chunks_whose_stored_bytes_concatenated_are_its_file_form()
    {
        var (_, blobs, ingestor, _) = await OpenAsync();
        var nar = await ChunkedPush.RandomNarAsync(300_000);

        var ingested = await ingestor.IngestAsync(new MemoryStream(await NarFixtures.CompressAsync(nar, CompressionKind.Xz)), CompressionKind.Xz, Limit, Ct);

        Assert.True(ingested.Chunks.Count > 20, $"{ingested.Chunks.Count} chunks");
        Assert.All(ingested.Chunks, chunk => Assert.InRange(chunk.Size, 1, ChunkedPush.Options.MaxSize));
        var file = await ReadAllAsync(blobs, ingested.Chunks);
        Assert.Equal((ingested.FileHash, ingested.FileSize), (NarFixtures.Sha256(file), (long)file.Length));
        Assert.Equal(nar, await NarFixtures.DecompressAsync(file, CompressionKind.Zstd));
        Assert.Equal((await ChunkedPush.CreateAsync(nar)).Hashes, ingested.Chunks.Select(c => c.Hash));
    }

    [Fact]
    public async Task A_nar_filling_the_group_buffer_several_times_keeps_every_chunk_intact()
    {
        // The server's default chunk sizes: incompressible chunks of ~256 KiB fill the sink's group buffer
        // (ChunkSink.GroupBytes) after a few MiB, long before ChunkSink.GroupChunks.
        var (_, blobs, ingestor, _) = await OpenAsync(new LarderOptions());
        var nar = await ChunkedPush.RandomNarAsync(3 * ChunkSink.GroupBytes);

        var ingested = await ingestor.IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, Ct);

        Assert.InRange(ingested.Chunks.Count, 12, ChunkSink.GroupChunks);
        var file = await ReadAllAsync(blobs, ingested.Chunks);
        Assert.Equal((ingested.FileHash, ingested.FileSize), (NarFixtures.Sha256(file), (long)file.Length));
        Assert.Equal(nar, await NarFixtures.DecompressAsync(file, CompressionKind.Zstd));
    }

    [Fact]
    public async Task A_nar_up_to_the_threshold_is_one_chunk_whose_hash_is_its_nar_hash()
    {
        var (_, _, ingestor, _) = await OpenAsync();
        var nar = await ChunkedPush.RandomNarAsync(1500);

        var ingested = await ingestor.IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, Ct);

        Assert.Equal(ingested.NarHash, Assert.Single(ingested.Chunks).Hash);
    }

    /// <summary>Requests to the database for <see cref="A_small_path_is_ingested_and_committed_in_a_bounded_number_of_round_trips"/>.</summary>
    protected abstract (int Ingest, int Commit) SmallPathRoundTrips { get; }

    [Fact]
    public async Task A_small_path_is_ingested_and_committed_in_a_bounded_number_of_round_trips()
    {
        var (store, _, ingestor, _) = await OpenAsync();
        var cache = await store.CreateCacheAsync(Cache(), Ct);
        var nar = await ChunkedPush.RandomNarAsync(1500);
        var (statements, trips) = (store.CommandCount, store.RoundTripCount);

        var ingested = await ingestor.IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, Ct);
        var (ingestStatements, ingestTrips) = (store.CommandCount - statements, store.RoundTripCount - trips);
        (statements, trips) = (store.CommandCount, store.RoundTripCount);
        await CommitInAsync(store, cache, ingested);

        // Where statements are batched, the same statements go out in fewer requests.
        Assert.Equal(SmallPathRoundTrips, ((int)ingestTrips, (int)(store.RoundTripCount - trips)));
        Assert.InRange(ingestStatements, 1, 4);
        // Where statements are batched, the commit's one batch also has a savepoint to roll back to and its own checks
        // that the path is absent and its references present (no extra request).
        Assert.InRange(store.CommandCount - statements, 1, 11);
    }

    [Fact]
    public async Task A_small_nar_is_ingested_with_its_chunk_registered_and_only_its_listing_awaiting_a_commit()
    {
        var (store, blobs, ingestor, _) = await OpenAsync();
        var nar = await ChunkedPush.RandomNarAsync(1500);
        long before = store.CommandCount;

        var ingested = await ingestor.IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, Ct);

        // The chunk's lookup (one read: a new chunk has no release time to move), one intent for its key and the
        // listing's, its registration (claim and insert); no lookup of a stored NAR (its chunk was new).
        Assert.InRange(store.CommandCount - before, 1, 4);
        var chunk = Assert.Single(ingested.Chunks);
        Assert.Equal([chunk], await store.FindChunksAsync([chunk.Hash], _time.Now, Ct));
        Assert.True(await ExistsAsync(blobs, chunk.StorageKey));
        Assert.True(await ExistsAsync(blobs, ingested.ListingKey!));
        var due = _time.Now + _options.Maintenance.StagedUploadTtl + TimeSpan.FromMinutes(1);
        Assert.Equal([ingested.ListingKey!], await store.ListDueBlobDeletionsAsync(due, 10, Ct));
    }

    [Fact]
    public async Task Ingesting_a_stored_nar_again_stores_no_chunk_and_records_only_a_new_listing()
    {
        var (store, blobs, ingestor, _) = await OpenAsync();
        var nar = await ChunkedPush.RandomNarAsync(1500);
        var first = await ingestor.IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, Ct);

        var second = await ingestor.IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, Ct);

        Assert.Equal(first.Chunks, second.Chunks);
        Assert.Equal(1, await CountChunkBlobsAsync(blobs, first.Chunks));
        var due = _time.Now + _options.Maintenance.StagedUploadTtl + TimeSpan.FromMinutes(1);
        Assert.Equal(
            new[] { first.ListingKey!, second.ListingKey! }.Order(StringComparer.Ordinal),
            (await store.ListDueBlobDeletionsAsync(due, 10, Ct)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Ingesting_a_stored_nar_again_looks_its_chunks_up_in_one_round_trip_per_group()
    {
        var (store, _, ingestor, _) = await OpenAsync();
        var nar = await ChunkedPush.RandomNarAsync(300_000);
        var first = await ingestor.IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, Ct);
        Assert.InRange(first.Chunks.Count, 40, ChunkSink.GroupChunks);
        long before = store.CommandCount;

        var second = await ingestor.IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, Ct);

        Assert.Equal(first.Chunks, second.Chunks);
        // The group's lookup (2 statements), the listing's intent, the lookup of an already stored NAR: not 2 per chunk.
        Assert.InRange(store.CommandCount - before, 1, 6);
    }

    [Fact]
    public async Task A_second_version_stores_only_the_chunks_it_changed()
    {
        var (store, blobs, ingestor, _) = await OpenAsync();
        // Fixed bytes: how many chunks a flipped byte changes depends on the content (now and then a cut point far away
        // moves too), so random content would make the bound below hold only most of the time.
        var content = new byte[400_000];
        new Random(400).NextBytes(content);
        var first = await ingestor.IngestAsync(new MemoryStream(await NarOfAsync(content)), CompressionKind.None, Limit, Ct);
        content[200_000] ^= 0xff;

        var second = await ingestor.IngestAsync(new MemoryStream(await NarOfAsync(content)), CompressionKind.None, Limit, Ct);

        var shared = second.Chunks.Intersect(first.Chunks).Count();
        Assert.InRange(second.Chunks.Count - shared, 1, 3);
        var rows = await store.FindChunksAsync([.. first.Chunks.Concat(second.Chunks).Select(c => c.Hash)], _time.Now, Ct);
        Assert.Equal(first.Chunks.Concat(second.Chunks).Distinct().Count(), rows.Count);
        Assert.Equal(rows.Select(r => r.BlobKey).Distinct().Count(), await CountChunkBlobsAsync(blobs, rows));
    }

    [Fact]
    public async Task Two_concurrent_ingests_sharing_chunks_store_each_chunk_once()
    {
        var (store, blobs, ingestor, reaper) = await OpenAsync();
        var nar = await ChunkedPush.RandomNarAsync(300_000);

        var both = await Task.WhenAll(
            Task.Run(() => ingestor.IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, Ct)),
            Task.Run(() => ingestor.IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, Ct)));
        await CommitAsync(store, both[0]);
        _time.Now += TimeSpan.FromHours(2);
        await reaper.RunOnceAsync(Ct);

        Assert.Equal(both[0].Chunks, both[1].Chunks);
        Assert.Equal(both[0].FileHash, both[1].FileHash);
        var rows = await store.FindChunksAsync([.. both[0].Chunks.Select(c => c.Hash)], _time.Now, Ct);
        Assert.Equal(both[0].Chunks.Distinct().Count(), rows.Count);
        Assert.Equal(rows.Select(r => r.BlobKey).Distinct().Count(), await CountChunkBlobsAsync(blobs, rows));
        Assert.Equal(nar, await NarFixtures.DecompressAsync(await ReadAllAsync(blobs, both[0].Chunks), CompressionKind.Zstd));
    }

    [Fact]
    public async Task A_chunk_stored_at_the_start_of_an_upload_survives_the_reaper_until_the_upload_ttl()
    {
        var (store, blobs, _, reaper) = await OpenAsync();
        var chunks = new ChunkStore(blobs, store, Staging(), Microsoft.Extensions.Options.Options.Create(_options), _time);
        var data = NarFixtures.RandomBytes(5000);
        using var compressed = CompressedChunk.Compress(data, NixHash.Compute(HashKind.Sha256, data));
        var chunk = await chunks.StoreAsync(compressed, Ct);

        _time.Now += _options.Maintenance.StagedUploadTtl - TimeSpan.FromMinutes(1);
        await reaper.RunOnceAsync(Ct);
        Assert.True(await ExistsAsync(blobs, chunk.BlobKey));
        Assert.Single(await store.FindChunksAsync([chunk.Hash], _time.Now - _options.Maintenance.ReleaseGrace, Ct));

        _time.Now += TimeSpan.FromMinutes(2);
        await reaper.RunOnceAsync(Ct);
        Assert.Empty(await store.FindChunksAsync([chunk.Hash], _time.Now, Ct));
        Assert.False(await ExistsAsync(blobs, chunk.BlobKey));
    }

    [Fact]
    public async Task A_chunk_found_by_a_push_is_kept_for_the_push_even_after_its_last_nar_went()
    {
        var (store, blobs, ingestor, reaper) = await OpenAsync();
        var chunks = new ChunkStore(blobs, store, Staging(), Microsoft.Extensions.Options.Options.Create(_options), _time);
        var ingested = await ingestor.IngestAsync(new MemoryStream(await ChunkedPush.RandomNarAsync(1500)), CompressionKind.None, Limit, Ct);
        var (cache, hashPart) = await CommitAsync(store, ingested);
        _time.Now += TimeSpan.FromHours(2);
        await store.DeletePathsAsync(cache.Id, [hashPart], "test", null, _time.Now, Ct);
        _time.Now += _options.Maintenance.ReleaseGrace + TimeSpan.FromMinutes(1);
        Assert.Equal(1, (await reaper.RunOnceAsync(Ct)).Nars);
        _time.Now += _options.Maintenance.ReleaseGrace / 2;

        Assert.Single(await chunks.FindAsync([ingested.Chunks[0].Hash], Ct));
        _time.Now += _options.Maintenance.StagedUploadTtl - TimeSpan.FromMinutes(1);
        await reaper.RunOnceAsync(Ct);
        Assert.True(await ExistsAsync(blobs, ingested.Chunks[0].BlobKey));

        _time.Now += TimeSpan.FromMinutes(2);
        await reaper.RunOnceAsync(Ct);
        Assert.False(await ExistsAsync(blobs, ingested.Chunks[0].BlobKey));
    }

    [Fact]
    public async Task A_held_chunk_with_other_stored_bytes_is_reused_and_the_file_hash_covers_the_stored_bytes()
    {
        var (store, blobs, ingestor, _) = await OpenAsync();
        var nar = await ChunkedPush.RandomNarAsync(1500);
        var hash = NixHash.Compute(HashKind.Sha256, nar);
        var storedElsewhere = CompressAtLevel19(nar);
        var key = FreshBlobKeys.Chunk(hash);
        var file = Path.Combine(_dir.Path, "other-level.zst");
        await File.WriteAllBytesAsync(file, [.. storedElsewhere]);
        await store.RecordBlobIntentsAsync([key], _time.Now.AddHours(1), Ct);
        await blobs.PutFileAsync(key, file, Ct);
        var held = await store.RegisterChunkAsync(
            new ChunkRecord(hash.ToNix32String(), key, nar.Length, NarFixtures.Sha256(storedElsewhere), storedElsewhere.Length, "zstd"),
            _time.Now, Ct);

        var ingested = await ingestor.IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, Ct);

        using var ours = CompressedChunk.Compress(nar, hash);
        Assert.NotEqual(ours.StoredHash.ToNix32String(), held.StoredHash);
        Assert.Equal([held], ingested.Chunks);
        Assert.Equal((NarFixtures.Sha256(storedElsewhere), (long)storedElsewhere.Length), (ingested.FileHash, ingested.FileSize));
    }

    [Fact]
    public async Task The_new_chunks_of_an_ingest_are_stored_together_as_one_pack_read_back_by_ranges()
    {
        var (_, blobs, ingestor, _) = await OpenAsync();
        var nar = await ChunkedPush.RandomNarAsync(300_000);

        var ingested = await ingestor.IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, Ct);

        Assert.True(ingested.Chunks.Count > 20, $"{ingested.Chunks.Count} chunks");
        var pack = Assert.Single(ingested.Chunks.Select(c => c.PackKey).Distinct());
        Assert.StartsWith("packs/", pack);
        Assert.Equal(ingested.Chunks.Select(c => c.PackOffset), ingested.Chunks.Select((_, i) => ingested.Chunks.Take(i).Sum(c => c.StoredSize)));
        Assert.Equal(1, await CountChunkBlobsAsync(blobs, ingested.Chunks));
        Assert.Equal(nar, await NarFixtures.DecompressAsync(await ReadAllAsync(blobs, ingested.Chunks), CompressionKind.Zstd));
    }

    [Fact]
    public async Task A_pack_stays_while_any_of_its_chunks_is_used_and_goes_with_its_last_chunk()
    {
        var (store, blobs, ingestor, reaper) = await OpenAsync();
        var content = NarFixtures.RandomBytes(400_000);
        var first = await ingestor.IngestAsync(new MemoryStream(await NarOfAsync(content)), CompressionKind.None, Limit, Ct);
        var (cache, firstPath) = await CommitAsync(store, first);
        content[200_000] ^= 0xff;
        var second = await ingestor.IngestAsync(new MemoryStream(await NarOfAsync(content)), CompressionKind.None, Limit, Ct);
        var secondPath = await CommitInAsync(store, cache, second);
        var firstPack = Assert.Single(first.Chunks.Select(c => c.BlobKey).Distinct());
        var onlyFirst = first.Chunks.Except(second.Chunks).Select(c => c.Hash).ToList();
        Assert.NotEmpty(onlyFirst);

        await store.DeletePathsAsync(cache.Id, [firstPath], "test", null, _time.Now, Ct);
        await ReapAllAsync(reaper);

        // The first version's own chunks are gone, but the rest of its pack serves the second version.
        Assert.Empty(await store.FindChunksAsync(onlyFirst, _time.Now, Ct));
        Assert.True(await ExistsAsync(blobs, firstPack));
        Assert.Equal(await NarOfAsync(content), await NarFixtures.DecompressAsync(await ReadAllAsync(blobs, second.Chunks), CompressionKind.Zstd));

        await store.DeletePathsAsync(cache.Id, [secondPath], "test", null, _time.Now, Ct);
        await ReapAllAsync(reaper);

        Assert.Empty(await store.FindChunksAsync([.. second.Chunks.Select(c => c.Hash)], _time.Now, Ct));
        Assert.Equal(0, await CountChunkBlobsAsync(blobs, []));
    }

    [Fact]
    public async Task A_failed_upload_that_fits_in_one_pack_stores_nothing()
    {
        var (_, blobs, ingestor, _) = await OpenAsync();
        var nar = await ChunkedPush.RandomNarAsync(300_000);

        await Assert.ThrowsAsync<LarderException>(
            () => ingestor.IngestAsync(new MemoryStream(nar[..^10]), CompressionKind.None, Limit, Ct));

        Assert.Equal(0, await CountChunkBlobsAsync(blobs, []));
    }

    public void Dispose()
    {
        _dir.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task<(RelationalMetadataStore Store, IBlobStore Blobs, NarIngestor Ingestor, Reaper Reaper)> OpenAsync(LarderOptions? settings = null)
    {
        var store = await CreateStoreAsync(_time);
        var blobs = await CreateBlobStoreAsync();
        var options = Microsoft.Extensions.Options.Options.Create(settings ?? _options);
        var staging = Staging();
        var ingestor = new NarIngestor(
            new ChunkStore(blobs, store, staging, options, _time), store, NullLogger<NarIngestor>.Instance);
        return (store, blobs, ingestor, new Reaper(store, blobs, options, _time, NullLogger<Reaper>.Instance));
    }

    /// <summary>Reaper passes far enough apart for released NARs, then their chunks, then their blobs to go.</summary>
    private async Task ReapAllAsync(Reaper reaper)
    {
        for (var pass = 0; pass < 3; pass++)
        {
            _time.Now += _options.Maintenance.StagedUploadTtl + _options.Maintenance.ReleaseGrace + TimeSpan.FromMinutes(1);
            await reaper.RunOnceAsync(Ct);
        }
    }

    private async Task<string> CommitInAsync(IMetadataStore store, CacheRecord cache, IngestedNar nar)
    {
        var request = Commit(cache.Id, nar: nar.ToNarRecord(_time.Now), at: _time.Now);
        Assert.Equal(CommitOutcome.Committed, (await store.CommitPathAsync(request, Ct)).Outcome);
        return request.HashPart;
    }

    private StagingArea Staging() => new(Path.Combine(_dir.Path, "staging"));

    private async Task<(CacheRecord Cache, string HashPart)> CommitAsync(IMetadataStore store, IngestedNar nar)
    {
        var cache = await store.CreateCacheAsync(Cache(), Ct);
        var request = Commit(cache.Id, nar: nar.ToNarRecord(_time.Now), at: _time.Now);
        Assert.Equal(CommitOutcome.Committed, (await store.CommitPathAsync(request, Ct)).Outcome);
        return (cache, request.HashPart);
    }

    private static async Task<byte[]> NarOfAsync(byte[] content)
    {
        using var dir = new TempDirectory("larder-chunks-nar");
        var file = Path.Combine(dir.Path, "file");
        await File.WriteAllBytesAsync(file, content);
        return await NarFixtures.DumpAsync(file);
    }

    private static async Task<byte[]> ReadAllAsync(IBlobStore blobs, IEnumerable<ChunkRecord> chunks)
    {
        using var all = new MemoryStream();
        foreach (var chunk in chunks)
        {
            await using var input = await blobs.OpenRangeAsync(chunk.BlobKey, chunk.BlobOffset, chunk.StoredSize, Ct);
            await input.CopyToAsync(all);
        }
        return all.ToArray();
    }

    private static byte[] CompressAtLevel19(byte[] data)
    {
        using var output = new MemoryStream();
        using (var compressor = Codecs.Compress(output, CompressionKind.Zstd, 19, leaveOpen: true))
        {
            compressor.Write(data);
        }
        return output.ToArray();
    }

    /// <summary>How many blobs hold <paramref name="rows"/>; fails if any stored chunk or pack blob holds none of them.</summary>
    private static async Task<int> CountChunkBlobsAsync(IBlobStore blobs, IEnumerable<ChunkRecord> rows)
    {
        var keys = rows.Select(r => r.BlobKey).ToHashSet();
        var stored = new List<string>();
        foreach (var prefix in new[] { "chunks/", "packs/" })
        {
            await foreach (var blob in blobs.ListAsync(prefix, Ct))
            {
                stored.Add(blob.Key);
            }
        }
        Assert.All(stored, key => Assert.Contains(key, keys));
        return stored.Count;
    }

    private static async Task<bool> ExistsAsync(IBlobStore blobs, string key) => await blobs.GetSizeAsync(key, Ct) is not null;
}
