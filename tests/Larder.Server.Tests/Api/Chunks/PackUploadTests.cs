using System.Buffers.Binary;
using System.Net;
using Larder.Contracts.Chunks;
using Larder.Nix.Compression;
using Larder.Nix.Hashing;
using Larder.Server.Tests.BinaryCache;

namespace Larder.Server.Tests.Api.Chunks;

/// <summary><c>POST chunks/packs</c> against a real server with small chunks and the smallest pack size (1 MiB).</summary>
public sealed class PackUploadTests : IAsyncLifetime
{
    private const int PackSize = 1 << 20;
    private LarderApplication _app = null!;
    private HttpClient _client = null!;
    private string _cache = "";

    public async Task InitializeAsync()
    {
        _app = await LarderApplication.StartAsync(args: [.. ChunkedPush.ServerArgs, $"--Larder:Chunking:PackSize={PackSize}"]);
        _cache = (await _app.CreateCacheAsync($"packs-{Guid.NewGuid():N}"[..20])).Name;
        _client = _app.CreateClient(_app.AdminToken);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task The_server_announces_its_pack_size()
    {
        using var response = await _client.GetAsync($"api/v1/caches/{_cache}/chunking");

        Assert.Equal(PackSize, (await ApiAssert.OkAsync(response, ChunkJsonContext.Default.ChunkingParameters)).PackSize);
    }

    [Fact]
    public async Task Chunks_sent_as_packs_are_stored_as_few_objects_and_the_committed_path_serves_its_nar_across_chunk_borders()
    {
        var push = await ChunkedPush.CreateAsync(await ChunkedPush.RandomNarAsync(1_500_000));
        var distinct = push.Chunks.DistinctBy(NarFixtures.Sha256).ToList();
        var half = distinct.Count / 2;

        using var first = await PostPackAsync(Body(distinct.Take(half)));
        using var second = await PostPackAsync(Body(distinct.Skip(half).Append(distinct[0])));
        using var commit = await ChunkedPush.CommitAsync(_client, _cache, push.Metadata(), push.Hashes);

        Assert.Equal(new PackUploadResult(half, half), await ApiAssert.OkAsync(first, ChunkJsonContext.Default.PackUploadResult, HttpStatusCode.Created));
        var secondResult = await ApiAssert.OkAsync(second, ChunkJsonContext.Default.PackUploadResult, HttpStatusCode.Created);
        Assert.Equal(new PackUploadResult(distinct.Count - half + 1, distinct.Count - half), secondResult);
        await ApiAssert.OkAsync(commit, ChunkJsonContext.Default.PushResult, HttpStatusCode.Created);
        var nar = (await _app.Metadata.GetNarByNarHashAsync(NarFixtures.Sha256(push.Nar), CancellationToken.None))!;
        var packs = nar.Chunks.Select(c => c.BlobKey).Distinct().ToList();
        Assert.InRange(packs.Count, 2, 4);
        Assert.All(packs, key => Assert.StartsWith("packs/", key));

        var info = Larder.Nix.NarInfo.NarInfo.Parse(await _client.GetStringAsync($"{_cache}/{push.HashPart}.narinfo"));
        var file = await _client.GetByteArrayAsync($"{_cache}/{info.Url}");
        Assert.Equal(push.Nar, await NarFixtures.DecompressAsync(file, CompressionKind.Zstd));
        // A range that starts inside one chunk and ends several chunks later, inside the second pack.
        var from = (int)(nar.Chunks[0].StoredSize / 2);
        var to = file.Length - (int)(nar.Chunks[^1].StoredSize / 2);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{_cache}/{info.Url}");
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(from, to);
        using var ranged = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, ranged.StatusCode);
        Assert.Equal(file[from..(to + 1)], await ranged.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_pack_of_chunks_the_server_holds_stores_nothing_new()
    {
        var chunks = new[] { NarFixtures.RandomBytes(3000), NarFixtures.RandomBytes(5000) };
        using (await PostPackAsync(Body(chunks)))
        {
        }

        using var again = await PostPackAsync(Body(chunks));

        Assert.Equal(new PackUploadResult(2, 0), await ApiAssert.OkAsync(again, ChunkJsonContext.Default.PackUploadResult, HttpStatusCode.OK));
    }

    public enum BadPack
    {
        LaterChunkNotMatchingHash,
        TruncatedHeader,
        TruncatedFrame,
        FrameLongerThanAnyChunk,
        NotZstd,
        DecompressesBeyondMaxSize,
        Empty,
        LargerThanPackSize,
        Compressed,
    }

    [Theory]
    [InlineData(BadPack.LaterChunkNotMatchingHash, HttpStatusCode.BadRequest, "chunk 2 of the pack has hash")]
    [InlineData(BadPack.TruncatedHeader, HttpStatusCode.BadRequest, "ends inside the header of chunk 3")]
    [InlineData(BadPack.TruncatedFrame, HttpStatusCode.BadRequest, "ends inside chunk 2")]
    [InlineData(BadPack.FrameLongerThanAnyChunk, HttpStatusCode.BadRequest, "announces a zstd frame of")]
    [InlineData(BadPack.NotZstd, HttpStatusCode.BadRequest, "not valid zstd")]
    [InlineData(BadPack.DecompressesBeyondMaxSize, HttpStatusCode.RequestEntityTooLarge, "uncompressed chunk")]
    [InlineData(BadPack.Empty, HttpStatusCode.BadRequest, "holds no chunks")]
    [InlineData(BadPack.LargerThanPackSize, HttpStatusCode.RequestEntityTooLarge, "chunk pack")]
    [InlineData(BadPack.Compressed, HttpStatusCode.UnsupportedMediaType, "sent as is")]
    public async Task Bad_packs_are_refused_and_store_nothing(BadPack bad, HttpStatusCode status, string message)
    {
        var chunks = Enumerable.Range(0, 3).Select(_ => NarFixtures.RandomBytes(3000)).ToArray();
        var good = Body(chunks);
        var frame1 = Frame(chunks[1]);
        byte[] body = bad switch
        {
            BadPack.LaterChunkNotMatchingHash => [.. Body(chunks[..2]), .. Record(NixHash.Compute(HashKind.Sha256, chunks[0]), Frame(chunks[2]))],
            BadPack.TruncatedHeader => [.. good, .. new byte[20]],
            BadPack.TruncatedFrame => good[..^10],
            BadPack.FrameLongerThanAnyChunk => [.. Body(chunks[..1]), .. Header(NixHash.Compute(HashKind.Sha256, chunks[1]), 1 << 20), .. frame1],
            BadPack.NotZstd => [.. Body(chunks[..1]), .. Record(NixHash.Compute(HashKind.Sha256, chunks[1]), chunks[1])],
            BadPack.DecompressesBeyondMaxSize => [.. Body(chunks[..1]), .. Record(NixHash.Compute(HashKind.Sha256, new byte[20000]), Frame(new byte[20000]))],
            BadPack.Empty => [],
            BadPack.LargerThanPackSize => [.. good, .. new byte[PackSize]],
            BadPack.Compressed => good,
            _ => throw new ArgumentOutOfRangeException(nameof(bad)),
        };

        using var response = await PostPackAsync(body, bad == BadPack.Compressed ? "zstd" : null);

        await ApiAssert.ErrorAsync(response, status, message);
        using var missing = await ChunkedPush.MissingAsync(_client, _cache, [.. chunks.Select(NarFixtures.Sha256)]);
        Assert.Equal(3, (await ApiAssert.OkAsync(missing, ChunkJsonContext.Default.MissingChunksResponse)).Missing.Count);
    }

    private async Task<HttpResponseMessage> PostPackAsync(byte[] body, string? encoding = null)
    {
        var content = new ByteArrayContent(body);
        if (encoding is not null)
        {
            content.Headers.ContentEncoding.Add(encoding);
        }
        return await _client.PostAsync($"api/v1/caches/{_cache}/chunks/packs", content);
    }

    private static byte[] Body(IEnumerable<byte[]> chunks) =>
        [.. chunks.SelectMany(chunk => Record(NixHash.Compute(HashKind.Sha256, chunk), Frame(chunk)))];

    private static byte[] Record(NixHash hash, byte[] frame) => [.. Header(hash, frame.Length), .. frame];

    private static byte[] Header(NixHash hash, int length)
    {
        var header = new byte[36];
        hash.Bytes.Span.CopyTo(header);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(32), length);
        return header;
    }

    private static byte[] Frame(byte[] chunk)
    {
        using var output = new MemoryStream();
        using (var compressor = Codecs.Compress(output, CompressionKind.Zstd, 3, leaveOpen: true))
        {
            compressor.Write(chunk);
        }
        return output.ToArray();
    }
}
