using Larder.Nix.Compression;
using Larder.Nix.Hashing;
using Larder.Server.BinaryCache.Serving;
using Larder.Server.Configuration;
using Larder.Server.Errors;
using Larder.Server.Ingest;
using Larder.Server.Maintenance.Reaping;
using Larder.Server.Maintenance.Verify;
using Larder.Server.Metadata;
using Larder.Server.Metadata.Relational;
using Larder.Server.Storage;
using Larder.Server.Storage.Chunks;
using Larder.Server.Storage.Inline;
using Larder.Server.Tests.Api.Chunks;
using Larder.Server.Tests.BinaryCache;
using Microsoft.Extensions.Logging.Abstractions;
using static Larder.Server.Tests.Metadata.MetadataSamples;

namespace Larder.Server.Tests.Storage.Chunks;

/// <summary>
/// Small packs kept in the metadata database (<see cref="InlineBlobStore"/>): where ingests put them, how they are
/// served, and how they go.
/// </summary>
public abstract partial class ChunkStorageConformance
{
    private const int InlineThreshold = 64 << 10;

    [Fact]
    public async Task A_small_nar_is_stored_inline_and_leaves_no_object_in_the_blob_store()
    {
        var backends = await OpenInlineAsync();
        var nar = await ChunkedPush.RandomNarAsync(1500);

        var ingested = await backends.Ingest(InlineThreshold).IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, Ct);

        var chunk = Assert.Single(ingested.Chunks);
        Assert.StartsWith("inline/packs/", chunk.PackKey);
        Assert.Empty(await ListAsync(backends.Objects, ""));
        var row = Assert.Single(await ListAsync(backends.Blobs(InlineThreshold), ""));
        Assert.Equal((chunk.PackKey, ingested.FileSize), (row.Key, row.Size));
        Assert.Equal(nar, await NarFixtures.DecompressAsync(await ServeAsync(backends.Blobs(InlineThreshold), ingested, null), CompressionKind.Zstd));
    }

    [Fact]
    public async Task A_new_small_nar_is_ingested_with_its_inline_registration_alone()
    {
        var backends = await OpenInlineAsync();
        var nar = await ChunkedPush.RandomNarAsync(1500);
        var before = backends.Store.CommandCount;

        var ingested = await backends.Ingest(InlineThreshold).IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, Ct);

        // The chunk's insert and the inline row's: no lookup of the chunk (the insert finds it) nor of a stored NAR.
        Assert.Equal(2, backends.Store.CommandCount - before);
        Assert.Equal([.. ingested.Chunks], await backends.Store.FindChunksAsync([ingested.Chunks[0].Hash], _time.Now, Ct));
    }

    [Fact]
    public async Task Ingesting_a_committed_inline_nar_again_reuses_its_chunk_and_describes_the_stored_nar()
    {
        var backends = await OpenInlineAsync();
        var nar = await ChunkedPush.RandomNarAsync(1500);
        var first = await backends.Ingest(InlineThreshold).IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, Ct);
        var cache = await backends.Store.CreateCacheAsync(Cache(), Ct);
        Assert.Equal(
            CommitOutcome.Committed,
            (await backends.Store.CommitPathAsync(Commit(cache.Id, nar: first.ToNarRecord(_time.Now), at: _time.Now), Ct)).Outcome);

        var second = await backends.Ingest(InlineThreshold).IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, Ct);

        Assert.Equal(first.Chunks, second.Chunks);
        Assert.Equal((first.FileHash, first.FileSize), (second.FileHash, second.FileSize));
        Assert.Single(await ListAsync(backends.Blobs(InlineThreshold), InlineKeys.Prefix));
    }

    [Fact]
    public async Task A_small_nar_whose_chunk_is_stored_with_other_bytes_is_described_by_the_stored_bytes()
    {
        var backends = await OpenInlineAsync();
        var nar = await ChunkedPush.RandomNarAsync(1500);
        var hash = NixHash.Compute(HashKind.Sha256, nar);
        var storedElsewhere = CompressAtLevel19(nar);
        var key = FreshBlobKeys.Chunk(hash);
        await backends.Store.RecordBlobIntentsAsync([key], _time.Now.AddHours(1), Ct);
        await backends.Objects.PutBytesAsync(key, storedElsewhere, Ct);
        var held = await backends.Store.RegisterChunkAsync(
            new ChunkRecord(hash.ToNix32String(), key, nar.Length, NarFixtures.Sha256(storedElsewhere), storedElsewhere.Length, "zstd"),
            _time.Now, Ct);

        var ingested = await backends.Ingest(InlineThreshold).IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, Ct);

        Assert.Equal([held], ingested.Chunks);
        Assert.Equal((NarFixtures.Sha256(storedElsewhere), (long)storedElsewhere.Length), (ingested.FileHash, ingested.FileSize));
        Assert.Empty(await ListAsync(backends.Blobs(InlineThreshold), InlineKeys.Prefix));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("bytes=3000-9999")]
    [InlineData("bytes=-7000")]
    public async Task An_inline_nar_of_many_chunks_is_served_byte_identical_with_ranges_across_chunk_borders(string? range)
    {
        var backends = await OpenInlineAsync();
        var nar = await ChunkedPush.RandomNarAsync(30_000);
        var ingested = await backends.Ingest(InlineThreshold).IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, Ct);
        Assert.True(ingested.Chunks.Count > 3, $"{ingested.Chunks.Count} chunks");
        Assert.All(ingested.Chunks, chunk => Assert.StartsWith("inline/packs/", chunk.PackKey));
        var whole = await ServeAsync(backends.Blobs(InlineThreshold), ingested, null);
        Assert.Equal(nar, await NarFixtures.DecompressAsync(whole, CompressionKind.Zstd));

        // A store with an empty cache reads the table.
        var served = await ServeAsync(backends.Blobs(InlineThreshold), ingested, range);

        var (from, length) = range switch
        {
            null => (0, whole.Length),
            "bytes=3000-9999" => (3000, 7000),
            _ => (whole.Length - 7000, 7000),
        };
        Assert.Equal(whole[from..(from + length)], served);
    }

    [Fact]
    public async Task A_nar_above_the_threshold_is_stored_in_the_blob_store()
    {
        var backends = await OpenInlineAsync();
        var nar = await ChunkedPush.RandomNarAsync(30_000);

        var ingested = await backends.Ingest(4096).IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, Ct);

        Assert.All(ingested.Chunks, chunk => Assert.StartsWith("packs/", chunk.PackKey));
        Assert.Single(await ListAsync(backends.Objects, "packs/"));
        Assert.Empty(await ListAsync(backends.Blobs(4096), InlineKeys.Prefix));
    }

    [Fact]
    public async Task A_threshold_of_zero_stores_nothing_inline()
    {
        var backends = await OpenInlineAsync();

        var ingested = await backends.Ingest(0).IngestAsync(new MemoryStream(await ChunkedPush.RandomNarAsync(1500)), CompressionKind.None, Limit, Ct);

        Assert.StartsWith("chunks/", Assert.Single(ingested.Chunks).StorageKey);
        Assert.Empty(await ListAsync(backends.Blobs(0), InlineKeys.Prefix));
        Assert.Single(await ListAsync(backends.Objects, "chunks/"));
    }

    [Fact]
    public async Task A_nar_whose_chunks_are_partly_inline_is_served_byte_identical()
    {
        var backends = await OpenInlineAsync();
        var content = NarFixtures.RandomBytes(200_000);
        await backends.Ingest(0).IngestAsync(new MemoryStream(await NarOfAsync(content)), CompressionKind.None, Limit, Ct);
        content[100_000] ^= 0xff;
        var second = await NarOfAsync(content);

        var ingested = await backends.Ingest(InlineThreshold).IngestAsync(new MemoryStream(second), CompressionKind.None, Limit, Ct);

        Assert.Contains(ingested.Chunks, chunk => chunk.PackKey?.StartsWith("inline/packs/", StringComparison.Ordinal) == true);
        Assert.Contains(ingested.Chunks, chunk => chunk.PackKey?.StartsWith("packs/", StringComparison.Ordinal) == true);
        Assert.Equal(second, await NarFixtures.DecompressAsync(await ServeAsync(backends.Blobs(InlineThreshold), ingested, null), CompressionKind.Zstd));
    }

    [Fact]
    public async Task Deleting_the_path_and_reaping_removes_the_inline_rows()
    {
        var backends = await OpenInlineAsync();
        var blobs = backends.Blobs(InlineThreshold);
        var ingested = await backends.Ingest(InlineThreshold).IngestAsync(new MemoryStream(await ChunkedPush.RandomNarAsync(1500)), CompressionKind.None, Limit, Ct);
        var cache = await backends.Store.CreateCacheAsync(Cache(), Ct);
        var request = Commit(cache.Id, nar: ingested.ToNarRecord(_time.Now), at: _time.Now);
        Assert.Equal(CommitOutcome.Committed, (await backends.Store.CommitPathAsync(request, Ct)).Outcome);
        Assert.Single(await ListAsync(blobs, InlineKeys.Prefix));

        await backends.Store.DeletePathsAsync(cache.Id, [request.HashPart], "test", null, _time.Now, Ct);
        var reaper = new Reaper(backends.Store, blobs, Microsoft.Extensions.Options.Options.Create(InlineOptions), _time, NullLogger<Reaper>.Instance);
        await ReapAllAsync(reaper);

        Assert.Empty(await ListAsync(blobs, InlineKeys.Prefix));
        Assert.Empty(await backends.Store.FindChunksAsync([ingested.Chunks[0].Hash], _time.Now, Ct));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => blobs.OpenReadAsync(ingested.Chunks[0].BlobKey, 0, Ct));
    }

    [Fact]
    public async Task Verify_reports_a_missing_inline_blob()
    {
        var backends = await OpenInlineAsync();
        var blobs = backends.Blobs(InlineThreshold);
        var ingested = await backends.Ingest(InlineThreshold).IngestAsync(new MemoryStream(await ChunkedPush.RandomNarAsync(1500)), CompressionKind.None, Limit, Ct);
        var cache = await backends.Store.CreateCacheAsync(Cache(), Ct);
        Assert.Equal(
            CommitOutcome.Committed,
            (await backends.Store.CommitPathAsync(Commit(cache.Id, nar: ingested.ToNarRecord(_time.Now), at: _time.Now), Ct)).Outcome);
        var verifier = new NarVerifier(
            backends.Store, blobs, new ServingChanges(new NarInfoMemory(TimeProvider.System), backends.Store, NullLogger<ServingChanges>.Instance), _time);
        Assert.Empty((await verifier.VerifyAllAsync(quarantine: false, null, Ct)).Problems);

        await blobs.DeleteAsync(ingested.Chunks[0].BlobKey, Ct);

        var problem = Assert.Single((await verifier.VerifyAllAsync(quarantine: false, null, Ct)).Problems);
        Assert.Equal(VerifyProblemKind.MissingBlob, problem.Kind);
    }

    [Fact]
    public async Task An_interrupted_upload_leaves_no_inline_row()
    {
        var backends = await OpenInlineAsync();
        var nar = await ChunkedPush.RandomNarAsync(30_000);

        await Assert.ThrowsAsync<LarderException>(
            () => backends.Ingest(InlineThreshold).IngestAsync(new MemoryStream(nar[..^10]), CompressionKind.None, Limit, Ct));

        Assert.Empty(await ListAsync(backends.Blobs(InlineThreshold), ""));
    }

    /// <summary>One database and one blob store; <see cref="InlineBackends.Blobs"/> makes a server's view of them with an empty cache.</summary>
    private sealed record InlineBackends(RelationalMetadataStore Store, IBlobStore Objects, Func<int, InlineBlobStore> Blobs, Func<int, NarIngestor> Ingest);

    /// <summary>Fresh backends whose ingests keep NARs up to the default threshold without a listing blob (as a server does).</summary>
    private async Task<InlineBackends> OpenInlineAsync()
    {
        var store = await CreateStoreAsync(_time);
        var objects = await CreateBlobStoreAsync();
        var options = Microsoft.Extensions.Options.Options.Create(InlineOptions);
        InlineBlobStore Blobs(int threshold) => new(objects, store, threshold);
        NarIngestor Ingest(int threshold) => new(new ChunkStore(Blobs(threshold), store, options, _time), store, NullLogger<NarIngestor>.Instance);
        return new InlineBackends(store, objects, Blobs, Ingest);
    }

    private LarderOptions InlineOptions => new()
    {
        Chunking = new ChunkingSettings
        {
            MinSize = _options.Chunking.MinSize,
            AverageSize = _options.Chunking.AverageSize,
            MaxSize = _options.Chunking.MaxSize,
            SingleChunkThreshold = _options.Chunking.SingleChunkThreshold,
        },
    };

    private static async Task<byte[]> ServeAsync(IBlobStore blobs, IngestedNar ingested, string? range)
    {
        var (status, body) = await NarDownloadTests.GetAsync(blobs, ingested.ToNarRecord(DateTimeOffset.UnixEpoch), range);
        Assert.Equal(range is null ? 200 : 206, status);
        return body;
    }

    private static async Task<List<BlobInfo>> ListAsync(IBlobStore blobs, string prefix)
    {
        var listed = new List<BlobInfo>();
        await foreach (var blob in blobs.ListAsync(prefix, Ct))
        {
            listed.Add(blob);
        }
        return listed;
    }
}
