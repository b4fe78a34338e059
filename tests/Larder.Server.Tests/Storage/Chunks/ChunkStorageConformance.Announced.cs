using System.Threading.Channels;
using Larder.Nix.Compression;
using Larder.Server.Ingest;
using Larder.Server.Ingest.StreamedCommit;
using Larder.Server.Metadata;
using Larder.Server.Storage.Chunks;
using Larder.Server.Tests.Api.Chunks;
using Larder.Server.Tests.BinaryCache;

namespace Larder.Server.Tests.Storage.Chunks;

/// <summary>The re-derivation of a streamed commit (<see cref="AnnouncedChunksStream"/>) on every backend.</summary>
public abstract partial class ChunkStorageConformance
{
    [Fact]
    public async Task Chunks_announced_in_runs_derive_what_the_whole_chunk_list_derives()
    {
        var (store, blobs, ingestor, _) = await OpenAsync();
        var chunks = new ChunkStore(blobs, store, Staging(), Microsoft.Extensions.Options.Options.Create(_options), _time);
        var nar = await ChunkedPush.RandomNarAsync(300_000);
        var ingested = await ingestor.IngestAsync(new MemoryStream(nar), CompressionKind.None, Limit, Ct);
        var runs = Channel.CreateUnbounded<IReadOnlyList<ChunkRecord>>();
        foreach (var run in ingested.Chunks.Chunk(7))
        {
            runs.Writer.TryWrite(run);
        }
        runs.Writer.Complete();

        var whole = await ChunkedNarAssembler.DeriveAsync(new StoredChunksStream(chunks, ingested.Chunks), Path.Combine(Scratch, "whole.ls"), Ct);
        var announced = await ChunkedNarAssembler.DeriveAsync(new AnnouncedChunksStream(chunks, runs.Reader), Path.Combine(Scratch, "runs.ls"), Ct);

        Assert.True(ingested.Chunks.Count > 20, $"{ingested.Chunks.Count} chunks");
        Assert.Equal(whole, announced);
        Assert.Equal(
            (ingested.NarHash, ingested.NarSize, ingested.FileHash, ingested.FileSize),
            (announced.NarHash.ToNix32String(), announced.NarSize, announced.FileHash.ToNix32String(), announced.FileSize));
        Assert.Equal(NarFixtures.Sha256(nar), ingested.NarHash);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Scratch, "whole.ls")), File.ReadAllBytes(Path.Combine(Scratch, "runs.ls")));
    }
}
