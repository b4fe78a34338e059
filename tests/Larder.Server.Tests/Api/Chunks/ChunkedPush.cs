using System.Net.Http.Headers;
using System.Net.Http.Json;
using Larder.Contracts.Chunks;
using Larder.Contracts.Push;
using Larder.Nix.Chunking;
using Larder.Nix.Compression;
using Larder.Nix.Hashing;
using Larder.Server.Tests.BinaryCache;
using Larder.Testing;

namespace Larder.Server.Tests.Api.Chunks;

/// <summary>A NAR cut into chunks as <c>larder push</c> would, and the chunk API calls that push it.</summary>
public sealed class ChunkedPush
{
    /// <summary>Small sizes, so test NARs of a few hundred KiB make many chunks.</summary>
    public static readonly ChunkingOptions Options = new() { MinSize = 1024, AverageSize = 4096, MaxSize = 16384, SingleChunkThreshold = 2048 };

    /// <summary>The server arguments that configure <see cref="Options"/>.</summary>
    public static readonly string[] ServerArgs =
    [
        "--Larder:Chunking:MinSize=1024", "--Larder:Chunking:AverageSize=4096",
        "--Larder:Chunking:MaxSize=16384", "--Larder:Chunking:SingleChunkThreshold=2048",
    ];

    private ChunkedPush(byte[] nar, IReadOnlyList<byte[]> chunks, string storePath)
    {
        Nar = nar;
        Chunks = chunks;
        StorePath = storePath;
    }

    public byte[] Nar { get; }

    public IReadOnlyList<byte[]> Chunks { get; }

    public IReadOnlyList<string> Hashes => [.. Chunks.Select(NarFixtures.Sha256)];

    public string StorePath { get; }

    public string HashPart => StorePath[11..43];

    public static async Task<ChunkedPush> CreateAsync(byte[]? nar = null)
    {
        nar ??= await RandomNarAsync(200_000);
        var chunks = new List<byte[]>();
        await foreach (var chunk in new FastCdcChunker(Options).ReadChunksAsync(new MemoryStream(nar)))
        {
            using (chunk)
            {
                chunks.Add(chunk.Data.ToArray());
            }
        }
        return new ChunkedPush(nar, chunks, $"/nix/store/{PushedPath.RandomHashPart()}-chunked");
    }

    /// <summary>The NAR of a file of <paramref name="size"/> random bytes.</summary>
    public static async Task<byte[]> RandomNarAsync(int size)
    {
        using var dir = new TempDirectory("larder-chunked");
        var file = Path.Combine(dir.Path, "file");
        await File.WriteAllBytesAsync(file, NarFixtures.RandomBytes(size));
        return await NarFixtures.DumpAsync(file);
    }

    public PushPathMetadata Metadata(string? narHash = null, long? narSize = null, IReadOnlyList<string>? references = null) => new(
        StorePath, narHash ?? NarFixtures.Sha256(Nar), narSize ?? Nar.Length, references ?? [], null, [], null);

    public static Task<HttpResponseMessage> MissingAsync(HttpClient client, string cache, IReadOnlyList<string> hashes) =>
        client.PostAsJsonAsync($"api/v1/caches/{cache}/chunks/missing", new MissingChunksRequest(hashes), ChunkJsonContext.Default.MissingChunksRequest);

    public static async Task<HttpResponseMessage> UploadAsync(
        HttpClient client, string cache, byte[] chunk, CompressionKind encoding = CompressionKind.None, string? nix32 = null)
    {
        var body = encoding == CompressionKind.None ? chunk : await NarFixtures.CompressAsync(chunk, encoding);
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (encoding != CompressionKind.None)
        {
            content.Headers.ContentEncoding.Add(CompressionNames.ToNixName(encoding));
        }
        return await client.PutAsync($"api/v1/caches/{cache}/chunks/{nix32 ?? NixHash.Compute(HashKind.Sha256, chunk).ToBase32()}", content);
    }

    public static Task<HttpResponseMessage> CommitAsync(HttpClient client, string cache, PushPathMetadata path, IReadOnlyList<string> hashes) =>
        client.PostAsJsonAsync($"api/v1/caches/{cache}/chunked-paths", new ChunkedPathRequest(path, hashes), ChunkJsonContext.Default.ChunkedPathRequest);

    /// <summary>The NAR <paramref name="cache"/> serves for <paramref name="hashPart"/>, its file checked against the narinfo's FileHash and FileSize.</summary>
    public static async Task<byte[]> DownloadNarAsync(HttpClient client, string cache, string hashPart)
    {
        var info = Larder.Nix.NarInfo.NarInfo.Parse(await client.GetStringAsync($"{cache}/{hashPart}.narinfo"));
        var file = await client.GetByteArrayAsync($"{cache}/{info.Url}");
        Assert.Equal(info.FileHash!.Value.ToNix32String(), NarFixtures.Sha256(file));
        Assert.Equal(info.FileSize, file.Length);
        return await NarFixtures.DecompressAsync(file, CompressionKind.Zstd);
    }

    /// <summary>Fails the test if the path or its NAR is visible on <paramref name="app"/>.</summary>
    public async Task AssertNotVisibleAsync(LarderApplication app, HttpClient client, string cache)
    {
        using var narInfo = await client.GetAsync($"{cache}/{HashPart}.narinfo");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, narInfo.StatusCode);
        Assert.Null(await app.Metadata.GetNarByNarHashAsync(NarFixtures.Sha256(Nar), CancellationToken.None));
    }

    /// <summary>Uploads every chunk the server lacks, then commits; fails the test unless all succeed.</summary>
    public async Task<PushResult> PushAsync(HttpClient client, string cache)
    {
        using var missing = await MissingAsync(client, cache, Hashes);
        var lacking = (await ApiAssert.OkAsync(missing, ChunkJsonContext.Default.MissingChunksResponse)).Missing.ToHashSet();
        foreach (var chunk in Chunks.DistinctBy(NarFixtures.Sha256).Where(c => lacking.Contains(NarFixtures.Sha256(c))))
        {
            using var upload = await UploadAsync(client, cache, chunk, CompressionKind.Zstd);
            await ApiAssert.OkAsync(upload, ChunkJsonContext.Default.ChunkUploadResult, System.Net.HttpStatusCode.Created);
        }
        using var commit = await CommitAsync(client, cache, Metadata(), Hashes);
        return await ApiAssert.OkAsync(commit, ChunkJsonContext.Default.PushResult, System.Net.HttpStatusCode.Created);
    }
}
