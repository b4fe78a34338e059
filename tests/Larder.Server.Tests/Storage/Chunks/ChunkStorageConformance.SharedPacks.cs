using Larder.Nix.Compression;
using Larder.Nix.Hashing;
using Larder.Server.Configuration;
using Larder.Server.Ingest;
using Larder.Server.Maintenance.Reaping;
using Larder.Server.Metadata.Relational;
using Larder.Server.Storage;
using Larder.Server.Storage.Chunks;
using Larder.Server.Storage.SharedPacks;
using Larder.Server.Tests.Api.Chunks;
using Larder.Server.Tests.BinaryCache;
using Larder.Server.Tests.Maintenance;
using Microsoft.Extensions.Logging.Abstractions;

namespace Larder.Server.Tests.Storage.Chunks;

/// <summary>
/// Small packs of concurrent uploads stored in one blob (<see cref="SharedPackWriter"/>): a first upload's put is held
/// back, so the uploads that follow wait for it and go out together.
/// </summary>
public abstract partial class ChunkStorageConformance
{
    [Fact]
    public async Task Uploads_waiting_for_a_store_share_one_blob_and_each_reads_back_intact()
    {
        var shared = await OpenSharedAsync();
        var nars = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ChunkedPush.RandomNarAsync(50_000)));

        var ingested = await shared.IngestHeldAsync(nars[0], nars[1..]);

        var alone = Assert.Single(ingested[0].Chunks);
        Assert.Null(alone.PackKey);
        var pack = Assert.Single(ingested[1..].SelectMany(nar => nar.Chunks).Select(chunk => chunk.PackKey).Distinct());
        Assert.StartsWith("packs/", pack);
        Assert.Equal(2, await CountChunkBlobsAsync(shared.Blobs, ingested.SelectMany(nar => nar.Chunks)));
        for (var i = 0; i < nars.Length; i++)
        {
            Assert.Equal(nars[i], await NarFixtures.DecompressAsync(await ReadAllAsync(shared.Blobs, ingested[i].Chunks), CompressionKind.Zstd));
            Assert.True(await ExistsAsync(shared.Blobs, ingested[i].ListingKey!), $"listing of upload {i}");
        }
        Assert.Equal(
            ingested.SelectMany(nar => nar.Chunks).OrderBy(c => c.Hash, StringComparer.Ordinal),
            (await shared.Store.FindChunksAsync([.. ingested.SelectMany(nar => nar.Chunks).Select(c => c.Hash)], _time.Now, Ct)).OrderBy(c => c.Hash, StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_shared_blob_stays_while_any_upload_in_it_is_used_and_goes_with_the_last()
    {
        var shared = await OpenSharedAsync();
        var nars = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ChunkedPush.RandomNarAsync(50_000)));
        var ingested = await shared.IngestHeldAsync(nars[0], nars[1..]);
        var pack = ingested[1].Chunks[0].PackKey!;
        var (cache, first) = await CommitAsync(shared.Store, ingested[1]);
        var second = await CommitInAsync(shared.Store, cache, ingested[2]);

        await shared.Store.DeletePathsAsync(cache.Id, [first], "test", null, _time.Now, Ct);
        await ReapAllAsync(shared.Reaper);

        Assert.True(await ExistsAsync(shared.Blobs, pack));
        Assert.Equal(nars[2], await NarFixtures.DecompressAsync(await ReadAllAsync(shared.Blobs, ingested[2].Chunks), CompressionKind.Zstd));

        await shared.Store.DeletePathsAsync(cache.Id, [second], "test", null, _time.Now, Ct);
        await ReapAllAsync(shared.Reaper);

        Assert.False(await ExistsAsync(shared.Blobs, pack));
        Assert.Equal(0, await CountChunkBlobsAsync(shared.Blobs, []));
    }

    [Fact]
    public async Task The_same_nar_uploaded_twice_into_one_shared_blob_is_registered_once()
    {
        var shared = await OpenSharedAsync();
        var nar = await ChunkedPush.RandomNarAsync(50_000);

        var ingested = await shared.IngestHeldAsync(await ChunkedPush.RandomNarAsync(50_000), [nar, nar]);

        Assert.Equal(ingested[1].Chunks, ingested[2].Chunks);
        Assert.Equal(ingested[1].FileHash, ingested[2].FileHash);
        Assert.Single(await shared.Store.FindChunksAsync([ingested[1].Chunks[0].Hash], _time.Now, Ct));
        Assert.Equal(nar, await NarFixtures.DecompressAsync(await ReadAllAsync(shared.Blobs, ingested[2].Chunks), CompressionKind.Zstd));
    }

    [Fact]
    public async Task A_failed_shared_store_fails_every_upload_in_it_and_registers_none_of_their_chunks()
    {
        var shared = await OpenSharedAsync(failSecondPut: true);
        var nars = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ChunkedPush.RandomNarAsync(50_000)));

        var first = shared.StartHeld(nars[0]);
        await shared.Held.Entered;
        var waiting = nars[1..].Select(nar => shared.Ingest(nar)).ToList();
        await shared.UntilWaitingAsync(waiting.Count);
        shared.Held.Release();
        await first;

        foreach (var upload in waiting)
        {
            var error = await Assert.ThrowsAsync<IOException>(() => upload);
            Assert.Contains("the store is full", error.Message, StringComparison.Ordinal);
        }
        var hashes = nars[1..].Select(nar => NixHash.Compute(HashKind.Sha256, nar).ToNix32String()).ToList();
        Assert.Empty(await shared.Store.FindChunksAsync(hashes, _time.Now, Ct));
    }

    [Fact]
    public async Task An_upload_that_gives_up_while_waiting_leaves_the_others_stored()
    {
        var shared = await OpenSharedAsync();
        var nars = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ChunkedPush.RandomNarAsync(50_000)));
        using var giveUp = new CancellationTokenSource();

        var first = shared.StartHeld(nars[0]);
        await shared.Held.Entered;
        var cancelled = shared.Ingest(nars[1], giveUp.Token);
        var kept = shared.Ingest(nars[2]);
        await shared.UntilWaitingAsync(2);
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        shared.Held.Release();
        await first;

        Assert.Equal(nars[2], await NarFixtures.DecompressAsync(await ReadAllAsync(shared.Blobs, (await kept).Chunks), CompressionKind.Zstd));
    }

    [Fact]
    public async Task A_threshold_of_zero_stores_each_upload_alone()
    {
        var shared = await OpenSharedAsync(settings => settings.Storage.SharedPackThreshold = 0);
        var nars = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ChunkedPush.RandomNarAsync(50_000)));

        var ingested = await shared.IngestHeldAsync(nars[0], nars[1..], expectWaiting: false);

        Assert.All(ingested, nar => Assert.Null(Assert.Single(nar.Chunks).PackKey));
        Assert.Equal(3, await CountChunkBlobsAsync(shared.Blobs, ingested.SelectMany(nar => nar.Chunks)));
    }

    [Fact]
    public async Task Lone_chunks_stay_alone_while_an_s3_store_hands_out_direct_urls()
    {
        var shared = await OpenSharedAsync(settings =>
        {
            settings.Storage.Kind = "s3";
            settings.Storage.S3.PresignedDownloads = true;
        });
        var nars = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ChunkedPush.RandomNarAsync(50_000)));

        var ingested = await shared.IngestHeldAsync(nars[0], nars[1..], expectWaiting: false);

        Assert.All(ingested, nar => Assert.Null(Assert.Single(nar.Chunks).PackKey));
    }

    private async Task<SharedPackBackends> OpenSharedAsync(Action<LarderOptions>? configure = null, bool failSecondPut = false)
    {
        var settings = new LarderOptions
        {
            // The server's chunk sizes: each upload below is one chunk, with a listing beside it (the companions go out
            // with the shared blob).
            Chunking = new ChunkingSettings { DerivedListingThreshold = 0 },
        };
        configure?.Invoke(settings);
        var store = await CreateStoreAsync(_time);
        var blobs = await CreateBlobStoreAsync();
        var held = new HeldBlobStore(blobs, failSecondPut);
        var options = Microsoft.Extensions.Options.Options.Create(settings);
        var chunks = new ChunkStore(held, store, options, _time);
        return new SharedPackBackends(
            store, blobs, held, chunks, new NarIngestor(chunks, store, NullLogger<NarIngestor>.Instance),
            new Reaper(store, blobs, options, _time, NullLogger<Reaper>.Instance));
    }

    private sealed record SharedPackBackends(
        RelationalMetadataStore Store, IBlobStore Blobs, HeldBlobStore Held, ChunkStore Chunks, NarIngestor Ingestor, Reaper Reaper)
    {
        public Task<IngestedNar> Ingest(byte[] nar, CancellationToken cancellationToken = default) =>
            Task.Run(() => Ingestor.IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, cancellationToken), CancellationToken.None);

        /// <summary>Ingests <paramref name="nar"/>, whose chunk's put is held until <see cref="HeldBlobStore.Release"/>.</summary>
        public Task<IngestedNar> StartHeld(byte[] nar) => Ingest(nar);

        /// <summary>Waits until <paramref name="count"/> packs wait to share a blob.</summary>
        public async Task UntilWaitingAsync(int count)
        {
            for (var tries = 0; Chunks.WaitingSharedPacks < count; tries++)
            {
                Assert.True(tries < 3000, $"{Chunks.WaitingSharedPacks} of {count} packs waiting after 30 s");
                await Task.Delay(10);
            }
        }

        /// <summary>
        /// Ingests <paramref name="first"/> with its put held, then <paramref name="others"/> while it is; once they
        /// wait for it (when <paramref name="expectWaiting"/>: else once they are done), lets it go.
        /// </summary>
        public async Task<IngestedNar[]> IngestHeldAsync(byte[] first, byte[][] others, bool expectWaiting = true)
        {
            var held = StartHeld(first);
            await Held.Entered;
            var rest = others.Select(nar => Ingest(nar)).ToList();
            if (expectWaiting)
            {
                await UntilWaitingAsync(rest.Count);
            }
            else
            {
                await Task.WhenAll(rest);
            }
            Held.Release();
            return [await held, .. await Task.WhenAll(rest)];
        }
    }

    /// <summary>
    /// Holds the first chunk or pack put until <see cref="Release"/>; with <paramref name="failSecondPut"/>, the second
    /// such put fails as a full store would.
    /// </summary>
    private sealed class HeldBlobStore(IBlobStore inner, bool failSecondPut) : DelegatingBlobStore(inner)
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _puts;

        public Task Entered => _entered.Task;

        public void Release() => _released.TrySetResult();

        public override async Task PutBytesAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
        {
            if (key.StartsWith("chunks/", StringComparison.Ordinal) || key.StartsWith("packs/", StringComparison.Ordinal))
            {
                var put = Interlocked.Increment(ref _puts);
                if (put == 1)
                {
                    _entered.TrySetResult();
                    await _released.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
                }
                else if (put == 2 && failSecondPut)
                {
                    throw new IOException("the store is full");
                }
            }
            await base.PutBytesAsync(key, bytes, cancellationToken);
        }
    }
}
