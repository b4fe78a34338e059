using System.Net;
using System.Net.Http.Json;
using Larder.Contracts.Chunks;
using Larder.Contracts.Tokens;
using Larder.Nix.Compression;
using Larder.Server.Tests.BinaryCache;

namespace Larder.Server.Tests.Api.Chunks;

/// <summary>The chunk-level push API against a real server configured with small chunk sizes.</summary>
public sealed class ChunkApiTests : IAsyncLifetime
{
    private LarderApplication _app = null!;
    private HttpClient _client = null!;
    private string _cache = "";

    public async Task InitializeAsync()
    {
        _app = await LarderApplication.StartAsync(args: ChunkedPush.ServerArgs);
        _cache = (await _app.CreateCacheAsync($"chunks-{Guid.NewGuid():N}"[..20])).Name;
        _client = _app.CreateClient(_app.AdminToken);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Chunking_parameters_are_the_configured_sizes()
    {
        using var response = await _client.GetAsync($"api/v1/caches/{_cache}/chunking");

        var parameters = await ApiAssert.OkAsync(response, ChunkJsonContext.Default.ChunkingParameters);
        var options = ChunkedPush.Options;
        Assert.Equal((options.MinSize, options.AverageSize, options.MaxSize, options.SingleChunkThreshold), (parameters.MinSize, parameters.AverageSize, parameters.MaxSize, parameters.SingleChunkThreshold));
        Assert.True(parameters.MaxChunksPerRequest >= 20_000);
    }

    [Fact]
    public async Task A_chunked_path_is_published_from_uploaded_chunks_and_serves_its_nar()
    {
        var push = await ChunkedPush.CreateAsync();
        Assert.True(push.Chunks.Count > 10);

        var result = await push.PushAsync(_client, _cache);
        using var missingAfter = await ChunkedPush.MissingAsync(_client, _cache, push.Hashes);
        using var again = await ChunkedPush.UploadAsync(_client, _cache, push.Chunks[0]);
        using var recommit = await ChunkedPush.CommitAsync(_client, _cache, push.Metadata(), push.Hashes);

        Assert.Equal("committed", result.Outcome);
        Assert.Empty((await ApiAssert.OkAsync(missingAfter, ChunkJsonContext.Default.MissingChunksResponse)).Missing);
        Assert.False((await ApiAssert.OkAsync(again, ChunkJsonContext.Default.ChunkUploadResult)).Stored);
        Assert.Equal("already-present", (await ApiAssert.OkAsync(recommit, ChunkJsonContext.Default.PushResult)).Outcome);
        Assert.Equal(push.Nar, await ChunkedPush.DownloadNarAsync(_client, _cache, push.HashPart));
        var nar = (await _app.Metadata.GetNarByNarHashAsync(NarFixtures.Sha256(push.Nar), CancellationToken.None))!;
        Assert.Equal(push.Hashes, nar.Chunks.Select(c => c.Hash));
    }

    [Fact]
    public async Task Missing_chunks_are_answered_in_request_order_each_once()
    {
        var push = await ChunkedPush.CreateAsync();
        using (await ChunkedPush.UploadAsync(_client, _cache, push.Chunks[1]))
        {
        }

        using var response = await ChunkedPush.MissingAsync(_client, _cache, [push.Hashes[2], push.Hashes[1], push.Hashes[0], push.Hashes[2]]);

        Assert.Equal([push.Hashes[2], push.Hashes[0]], (await ApiAssert.OkAsync(response, ChunkJsonContext.Default.MissingChunksResponse)).Missing);
    }

    public static TheoryData<string, string[], string> BadMissingRequests => new()
    {
        { "not a hash", ["sha256:abc"], "is not a chunk hash" },
        { "no algorithm", [new string('a', 52)], "is not a chunk hash" },
        { "md5", ["md5:" + new string('a', 26)], "is not a chunk hash" },
        { "hex", ["sha256:" + new string('a', 64)], "is not a chunk hash" },
        { "too many", [.. Enumerable.Repeat("sha256:" + new string('a', 52), 65_537)], "at most 65536" },
    };

    [Theory]
    [MemberData(nameof(BadMissingRequests))]
    public async Task Missing_chunks_with_bad_hashes_is_refused(string _, string[] hashes, string message)
    {
        using var response = await ChunkedPush.MissingAsync(_client, _cache, hashes);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, message);
    }

    [Fact]
    public async Task Missing_chunks_without_a_list_is_refused()
    {
        using var response = await _client.PostAsync(
            $"api/v1/caches/{_cache}/chunks/missing", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "no 'chunks' list");
    }

    public enum BadUpload
    {
        HashNotNix32,
        HashTooShort,
        BytesNotMatchingHash,
        EmptyBody,
        LargerThanMaxSizePlain,
        LargerThanMaxSizeAfterDecompression,
        NotZstd,
        UnsupportedEncoding,
    }

    [Theory]
    [InlineData(BadUpload.HashNotNix32, HttpStatusCode.BadRequest, "is not a chunk hash")]
    [InlineData(BadUpload.HashTooShort, HttpStatusCode.BadRequest, "is not a chunk hash")]
    [InlineData(BadUpload.BytesNotMatchingHash, HttpStatusCode.BadRequest, "nothing was stored")]
    [InlineData(BadUpload.EmptyBody, HttpStatusCode.BadRequest, "empty")]
    [InlineData(BadUpload.LargerThanMaxSizePlain, HttpStatusCode.RequestEntityTooLarge, "chunk")]
    [InlineData(BadUpload.LargerThanMaxSizeAfterDecompression, HttpStatusCode.RequestEntityTooLarge, "uncompressed chunk")]
    [InlineData(BadUpload.NotZstd, HttpStatusCode.BadRequest, "not valid zstd")]
    [InlineData(BadUpload.UnsupportedEncoding, HttpStatusCode.UnsupportedMediaType, "uncompressed or zstd")]
    public async Task Bad_chunk_uploads_are_refused_and_store_nothing(BadUpload bad, HttpStatusCode status, string message)
    {
        var chunk = NarFixtures.RandomBytes(3000);
        var other = NarFixtures.RandomBytes(3000);
        var tooLarge = new byte[ChunkedPush.Options.MaxSize + 1];
        var hash = NarFixtures.Sha256Nix32(chunk);
        using var response = bad switch
        {
            BadUpload.HashNotNix32 => await ChunkedPush.UploadAsync(_client, _cache, chunk, nix32: hash[..51] + "e"),
            BadUpload.HashTooShort => await ChunkedPush.UploadAsync(_client, _cache, chunk, nix32: hash[..50]),
            BadUpload.BytesNotMatchingHash => await ChunkedPush.UploadAsync(_client, _cache, other, nix32: hash),
            BadUpload.EmptyBody => await ChunkedPush.UploadAsync(_client, _cache, [], nix32: hash),
            BadUpload.LargerThanMaxSizePlain => await ChunkedPush.UploadAsync(_client, _cache, tooLarge),
            BadUpload.LargerThanMaxSizeAfterDecompression => await ChunkedPush.UploadAsync(_client, _cache, tooLarge, CompressionKind.Zstd),
            BadUpload.NotZstd => await PutRawAsync(hash, chunk, "zstd"),
            BadUpload.UnsupportedEncoding => await ChunkedPush.UploadAsync(_client, _cache, chunk, CompressionKind.Gzip),
            _ => throw new ArgumentOutOfRangeException(nameof(bad)),
        };

        await ApiAssert.ErrorAsync(response, status, message);
        using var missing = await ChunkedPush.MissingAsync(_client, _cache, [NarFixtures.Sha256(chunk), NarFixtures.Sha256(other)]);
        Assert.Equal(2, (await ApiAssert.OkAsync(missing, ChunkJsonContext.Default.MissingChunksResponse)).Missing.Count);
    }

    [Fact]
    public async Task A_commit_naming_chunks_the_server_lacks_is_refused_naming_the_first_few()
    {
        var push = await ChunkedPush.CreateAsync();
        using (await ChunkedPush.UploadAsync(_client, _cache, push.Chunks[0]))
        {
        }

        using var response = await ChunkedPush.CommitAsync(_client, _cache, push.Metadata(), push.Hashes);

        var message = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, push.Hashes[1]);
        Assert.Contains($"and {push.Chunks.Count - 1 - 5} more", message, StringComparison.Ordinal);
        Assert.DoesNotContain(push.Hashes[0], message, StringComparison.Ordinal);
        await push.AssertNotVisibleAsync(_app, _client, _cache);
    }

    public enum BadCommit
    {
        NarHashMismatch,
        NarSizeMismatch,
        NotANar,
        TruncatedNar,
        MissingReference,
        NoChunks,
        MalformedHash,
    }

    [Theory]
    [InlineData(BadCommit.NarHashMismatch, "NarHash")]
    [InlineData(BadCommit.NarSizeMismatch, "NarSize")]
    [InlineData(BadCommit.NotANar, "not make a valid NAR")]
    [InlineData(BadCommit.TruncatedNar, "not make a valid NAR")]
    [InlineData(BadCommit.MissingReference, "lacks references")]
    [InlineData(BadCommit.NoChunks, "names no chunks")]
    [InlineData(BadCommit.MalformedHash, "is not a chunk hash")]
    public async Task Bad_chunked_path_commits_are_refused_and_leave_nothing_visible(BadCommit bad, string message)
    {
        var push = await ChunkedPush.CreateAsync();
        var garbage = NarFixtures.RandomBytes(5000);
        foreach (var chunk in push.Chunks.Append(garbage))
        {
            using (await ChunkedPush.UploadAsync(_client, _cache, chunk))
            {
            }
        }
        var reference = $"{PushedPath.RandomHashPart()}-absent";
        var (metadata, hashes) = bad switch
        {
            BadCommit.NarHashMismatch => (push.Metadata(narHash: NarFixtures.Sha256(garbage)), push.Hashes),
            BadCommit.NarSizeMismatch => (push.Metadata(narSize: push.Nar.Length + 1), push.Hashes),
            BadCommit.NotANar => (push.Metadata(), (IReadOnlyList<string>)[NarFixtures.Sha256(garbage)]),
            BadCommit.TruncatedNar => (push.Metadata(), push.Hashes.SkipLast(1).ToList()),
            BadCommit.MissingReference => (push.Metadata(references: [reference]), push.Hashes),
            BadCommit.NoChunks => (push.Metadata(), []),
            BadCommit.MalformedHash => (push.Metadata(), [.. push.Hashes.Append("sha256:nope")]),
            _ => throw new ArgumentOutOfRangeException(nameof(bad)),
        };

        using var response = await ChunkedPush.CommitAsync(_client, _cache, metadata, hashes);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, message);
        await push.AssertNotVisibleAsync(_app, _client, _cache);
    }

    [Fact]
    public async Task A_nar_pushed_by_nix_copy_is_reused_by_a_chunked_commit_of_the_same_nar()
    {
        var whole = await PushedPath.CreateAsync(nar: await ChunkedPush.RandomNarAsync(100_000));
        await whole.PushAsync(_client, _cache);
        var before = (await _app.Metadata.GetNarByNarHashAsync(NarFixtures.Sha256(whole.Nar), CancellationToken.None))!;
        var push = await ChunkedPush.CreateAsync(whole.Nar);
        foreach (var chunk in push.Chunks)
        {
            using (await ChunkedPush.UploadAsync(_client, _cache, chunk))
            {
            }
        }

        using var response = await ChunkedPush.CommitAsync(_client, _cache, push.Metadata(), push.Hashes);

        await ApiAssert.OkAsync(response, ChunkJsonContext.Default.PushResult, HttpStatusCode.Created);
        var nar = (await _app.Metadata.GetNarByNarHashAsync(NarFixtures.Sha256(push.Nar), CancellationToken.None))!;
        Assert.Equal((before.Id, before.FileHash), (nar.Id, nar.FileHash));
        Assert.Equal(push.Hashes, nar.Chunks.Select(c => c.Hash));
        Assert.Equal(push.Nar, await ChunkedPush.DownloadNarAsync(_client, _cache, push.HashPart));
    }

    [Theory]
    [InlineData("chunking", "GET", false)]
    [InlineData("chunks/missing", "POST", true)]
    [InlineData("chunks/0000000000000000000000000000000000000000000000000000", "PUT", true)]
    [InlineData("chunked-paths", "POST", true)]
    [InlineData("chunked-paths/stream", "POST", true)]
    public async Task Anonymous_callers_get_401_and_read_only_tokens_403_where_writing_is_needed(string endpoint, string method, bool writes)
    {
        var (readOnly, _) = await _app.CreateTokenAsync(new GrantDto(_cache, ["read"]));
        using var anonymous = _app.CreateClient();
        using var reader = _app.CreateClient(readOnly);

        using var anonymousResponse = await SendAsync(anonymous, method, endpoint);
        using var readerResponse = await SendAsync(reader, method, endpoint);

        await ApiAssert.ErrorAsync(anonymousResponse, HttpStatusCode.Unauthorized);
        if (writes)
        {
            await ApiAssert.ErrorAsync(readerResponse, HttpStatusCode.Forbidden);
        }
        else
        {
            Assert.Equal(HttpStatusCode.OK, readerResponse.StatusCode);
        }
    }

    private Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string endpoint) =>
        client.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"api/v1/caches/{_cache}/{endpoint}")
        {
            Content = method == "GET" ? null : new StringContent("{}", System.Text.Encoding.UTF8, "application/json"),
        });

    private async Task<HttpResponseMessage> PutRawAsync(string nix32, byte[] body, string encoding)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentEncoding.Add(encoding);
        return await _client.PutAsync($"api/v1/caches/{_cache}/chunks/{nix32}", content);
    }
}
