using Larder.Server.BinaryCache;
using Larder.Server.Metadata;
using Larder.Server.Storage;
using Larder.Server.Storage.Folder;
using Larder.Testing;
using Microsoft.AspNetCore.Http;

namespace Larder.Server.Tests.BinaryCache;

/// <summary>A NAR stored as several chunks is served as their concatenation, ranges included.</summary>
public sealed class NarDownloadTests : IDisposable
{
    private static readonly CacheRecord Cache = new(1, "c", true, 40, "/nix/store", "k:x", [], DateTimeOffset.UnixEpoch);
    private readonly TempDirectory _dir = new("larder-download");

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(null, 0, 30)]
    [InlineData("bytes=3-12", 3, 10)]
    [InlineData("bytes=10-19", 10, 10)]
    [InlineData("bytes=9-20", 9, 12)]
    [InlineData("bytes=-5", 25, 5)]
    [InlineData("bytes=25-", 25, 5)]
    public async Task Chunks_are_served_concatenated_for_whole_and_partial_requests(string? range, int from, int length)
    {
        var (nar, whole) = await ThreeChunksAsync();

        var (status, body) = await GetAsync(new FolderBlobStore(Path.Combine(_dir.Path, "blobs")), nar, range);

        Assert.Equal(range is null ? 200 : 206, status);
        Assert.Equal(whole[from..(from + length)], body);
    }

    /// <summary>The status and body of a GET of <paramref name="nar"/>'s file form, with the <c>Range</c> header <paramref name="range"/> if any.</summary>
    internal static async Task<(int Status, byte[] Body)> GetAsync(IBlobStore blobs, NarRecord nar, string? range)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = HttpMethods.Get;
        if (range is not null)
        {
            http.Request.Headers.Range = range;
        }
        using var body = new MemoryStream();
        http.Response.Body = body;
        await new NarDownload(blobs).SendAsync(http, Cache.IsPublic, nar, CancellationToken.None);
        await http.Response.BodyWriter.FlushAsync();
        Assert.Equal(body.Length, http.Response.ContentLength);
        return (http.Response.StatusCode, body.ToArray());
    }

    [Fact]
    public async Task A_chunk_shorter_than_recorded_fails_the_transfer()
    {
        var (nar, _) = await ThreeChunksAsync();
        var broken = nar with { Chunks = [nar.Chunks[0] with { StoredSize = 20 }, .. nar.Chunks.Skip(1)] };
        var http = new DefaultHttpContext();
        http.Request.Method = HttpMethods.Get;
        http.Response.Body = new MemoryStream();

        await Assert.ThrowsAsync<IOException>(
            () => new NarDownload(new FolderBlobStore(Path.Combine(_dir.Path, "blobs"))).SendAsync(http, Cache.IsPublic, broken, CancellationToken.None));
    }

    private async Task<(NarRecord Nar, byte[] Whole)> ThreeChunksAsync()
    {
        var blobs = new FolderBlobStore(Path.Combine(_dir.Path, "blobs"));
        var whole = NarFixtures.RandomBytes(30);
        var chunks = new List<ChunkRecord>();
        for (int i = 0; i < 3; i++)
        {
            var file = Path.Combine(_dir.Path, $"chunk{i}");
            await File.WriteAllBytesAsync(file, whole[(i * 10)..((i + 1) * 10)]);
            await blobs.PutFileAsync($"chunks/part{i}.zst", file, CancellationToken.None);
            chunks.Add(new ChunkRecord($"sha256:{i}", $"chunks/part{i}.zst", 10, $"sha256:{i}", 10, "zstd"));
        }
        return (new NarRecord(1, "sha256:n", 30, "zstd", "sha256:f", 30, chunks, null, DateTimeOffset.UnixEpoch), whole);
    }
}
