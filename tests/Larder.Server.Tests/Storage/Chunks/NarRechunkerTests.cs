using Larder.Server.BinaryCache.Serving;
using System.Net;
using System.Net.Http.Headers;
using Larder.Nix.Compression;
using Larder.Server.Configuration;
using Larder.Server.Ingest;
using Larder.Server.Storage;
using Larder.Server.Storage.Chunks;
using Larder.Server.Tests.Api.Chunks;
using Larder.Server.Tests.BinaryCache;
using Larder.Testing;
using Microsoft.Extensions.DependencyInjection;
using NarInfoRecord = Larder.Nix.NarInfo.NarInfo;

namespace Larder.Server.Tests.Storage.Chunks;

/// <summary>
/// <see cref="NarRechunker"/> on a running server whose NARs were stored whole (its single-chunk threshold is the
/// largest chunk size), rechunked with a small threshold as an operator would after upgrading.
/// </summary>
public sealed class NarRechunkerTests : IAsyncLifetime
{
    private readonly TempDirectory _scratch = new("larder-rechunk");
    private LarderApplication _app = null!;
    private HttpClient _client = null!;
    private string _cache = "";

    public async Task InitializeAsync()
    {
        _app = await LarderApplication.StartAsync(args: [.. ChunkedPush.ServerArgs.SkipLast(1), "--Larder:Chunking:SingleChunkThreshold=16384"]);
        _cache = (await _app.CreateCacheAsync($"rechunk-{Guid.NewGuid():N}"[..20], isPublic: true)).Name;
        _client = _app.CreateClient(_app.AdminToken);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        _scratch.Dispose();
    }

    [Fact]
    public async Task Rechunking_converts_whole_nars_once_and_narinfos_fetched_before_still_download()
    {
        var whole = await PushedPath.CreateAsync(nar: await ChunkedPush.RandomNarAsync(15_000));
        var small = await PushedPath.CreateAsync(nar: await ChunkedPush.RandomNarAsync(500));
        await whole.PushAsync(_client, _cache);
        await small.PushAsync(_client, _cache);
        var before = NarInfoRecord.Parse(await _client.GetStringAsync($"{_cache}/{whole.HashPart}.narinfo"));
        Assert.Single((await _app.Metadata.GetNarByNarHashAsync(NarFixtures.Sha256(whole.Nar), CancellationToken.None))!.Chunks);

        var first = await Rechunker().RechunkAllAsync(null, CancellationToken.None);
        var second = await Rechunker().RechunkAllAsync(null, CancellationToken.None);

        Assert.Equal((1, 0), (first.Converted, first.Failed.Count));
        Assert.Equal(0, second.Converted);
        var nar = (await _app.Metadata.GetNarByNarHashAsync(NarFixtures.Sha256(whole.Nar), CancellationToken.None))!;
        Assert.Equal((await ChunkedPush.CreateAsync(whole.Nar)).Hashes, nar.Chunks.Select(c => c.Hash));
        // The rechunk ran outside the server (as `larder admin rechunk` does), so a remembered narinfo may be served
        // until it ages out: the old URL keeps downloading meanwhile, and the new one appears within the bound.
        Assert.Equal(whole.Nar, await DownloadAsync(before.Url));
        await Task.Delay(NarInfoMemory.MaxAge + TimeSpan.FromMilliseconds(500));
        var after = NarInfoRecord.Parse(await _client.GetStringAsync($"{_cache}/{whole.HashPart}.narinfo"));
        Assert.NotEqual(before.Url, after.Url);
        Assert.Equal(whole.Nar, await DownloadAsync(before.Url));
        Assert.Equal(whole.Nar, await DownloadAsync(after.Url));
        var file = await _client.GetByteArrayAsync($"{_cache}/{after.Url}");
        Assert.Equal((after.FileHash!.Value.ToNix32String(), after.FileSize), (NarFixtures.Sha256(file), (long?)file.Length));
    }

    [Fact]
    public async Task Ranges_across_chunk_borders_are_served_from_the_concatenated_chunks()
    {
        var push = await ChunkedPush.CreateAsync(await ChunkedPush.RandomNarAsync(60_000));
        await push.PushAsync(_client, _cache);
        var info = NarInfoRecord.Parse(await _client.GetStringAsync($"{_cache}/{push.HashPart}.narinfo"));
        var file = await _client.GetByteArrayAsync($"{_cache}/{info.Url}");
        var nar = (await _app.Metadata.GetNarByNarHashAsync(NarFixtures.Sha256(push.Nar), CancellationToken.None))!;
        var border = nar.Chunks[0].StoredSize;
        var nextBorder = border + nar.Chunks[1].StoredSize;

        foreach (var (from, to) in new[] { (border - 10, border + 10), (border - 1, nextBorder), (0L, file.Length - 1L), (border, border) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{_cache}/{info.Url}");
            request.Headers.Range = new RangeHeaderValue(from, to);
            using var response = await _client.SendAsync(request);

            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal(file[(int)from..(int)(to + 1)], await response.Content.ReadAsByteArrayAsync());
        }
    }

    private NarRechunker Rechunker()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new LarderOptions
        {
            Chunking = new ChunkingSettings { MinSize = 1024, AverageSize = 4096, MaxSize = 16384, SingleChunkThreshold = 2048 },
        });
        var chunks = new ChunkStore(
            _app.Services.GetRequiredService<IBlobStore>(), _app.Metadata, new StagingArea(_scratch.Path), options, TimeProvider.System);
        return new NarRechunker(_app.Metadata, chunks, TimeProvider.System);
    }

    private async Task<byte[]> DownloadAsync(string url) =>
        await NarFixtures.DecompressAsync(await _client.GetByteArrayAsync($"{_cache}/{url}"), CompressionKind.Zstd);
}
