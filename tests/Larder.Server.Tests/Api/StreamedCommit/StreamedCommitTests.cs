using System.Net;
using System.Text.Json;
using Larder.Contracts.Chunks;
using Larder.Contracts.Push;
using Larder.Nix.Compression;
using Larder.Server.Tests.Api.Chunks;
using Larder.Server.Tests.BinaryCache;

namespace Larder.Server.Tests.Api.StreamedCommit;

/// <summary><c>POST chunked-paths/stream</c>: a chunked path's commit whose chunk list arrives in runs.</summary>
public sealed class StreamedCommitTests : IAsyncLifetime
{
    private LarderApplication _app = null!;
    private HttpClient _client = null!;
    private string _cache = "";

    public async Task InitializeAsync()
    {
        _app = await LarderApplication.StartAsync(args: ChunkedPush.ServerArgs);
        _cache = (await _app.CreateCacheAsync($"stream-{Guid.NewGuid():N}"[..20])).Name;
        _client = _app.CreateClient(_app.AdminToken);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task The_server_announces_streamed_commits()
    {
        using var response = await _client.GetAsync($"api/v1/caches/{_cache}/chunking");

        Assert.True((await ApiAssert.OkAsync(response, ChunkJsonContext.Default.ChunkingParameters)).StreamedCommit);
    }

    [Fact]
    public async Task A_path_committed_in_runs_is_published_with_its_whole_chunk_list_and_serves_its_nar()
    {
        var push = await UploadedAsync();

        using var response = await CommitAsync(Lines(push.Metadata(), Runs(push.Hashes, 3)));

        var result = await ApiAssert.OkAsync(response, ChunkJsonContext.Default.PushResult, HttpStatusCode.Created);
        Assert.Equal((PushResult.Committed, NarFixtures.Sha256(push.Nar), (long)push.Nar.Length), (result.Outcome, result.NarHash, result.NarSize));
        var nar = (await _app.Metadata.GetNarByNarHashAsync(NarFixtures.Sha256(push.Nar), CancellationToken.None))!;
        Assert.Equal(push.Hashes, nar.Chunks.Select(c => c.Hash));
        Assert.Equal(push.Nar, await ChunkedPush.DownloadNarAsync(_client, _cache, push.HashPart));
    }

    public enum BadBody
    {
        NarHashMismatch,
        NotANar,
        TruncatedNar,
        UnknownChunk,
        MalformedHash,
        LineAfterThePath,
        NoPathLine,
        NotJson,
        NoChunks,
        MissingReference,
    }

    [Theory]
    [InlineData(BadBody.NarHashMismatch, "NarHash")]
    [InlineData(BadBody.NotANar, "not make a valid NAR")]
    [InlineData(BadBody.TruncatedNar, "not make a valid NAR")]
    [InlineData(BadBody.UnknownChunk, "does not hold chunk")]
    [InlineData(BadBody.MalformedHash, "is not a chunk hash")]
    [InlineData(BadBody.LineAfterThePath, "must be the last")]
    [InlineData(BadBody.NoPathLine, "without a line naming the path")]
    [InlineData(BadBody.NotJson, "line 2 of the streamed chunked-path request is not valid JSON")]
    [InlineData(BadBody.NoChunks, "names no chunks")]
    [InlineData(BadBody.MissingReference, "lacks references")]
    public async Task Bad_streamed_commits_are_refused_naming_the_problem_and_leave_nothing_visible(BadBody bad, string message)
    {
        var push = await UploadedAsync();
        var garbage = NarFixtures.RandomBytes(5000);
        using (await ChunkedPush.UploadAsync(_client, _cache, garbage))
        {
        }
        var runs = Runs(push.Hashes, 5);
        var lines = bad switch
        {
            BadBody.NarHashMismatch => Lines(push.Metadata(narHash: NarFixtures.Sha256(garbage)), runs),
            BadBody.NotANar => Lines(push.Metadata(), [[NarFixtures.Sha256(garbage)]]),
            BadBody.TruncatedNar => Lines(push.Metadata(), Runs(push.Hashes.SkipLast(1).ToList(), 5)),
            BadBody.UnknownChunk => Lines(push.Metadata(), [.. runs, [NarFixtures.Sha256(NarFixtures.RandomBytes(100))]]),
            BadBody.MalformedHash => Lines(push.Metadata(), [.. runs, ["sha256:nope"]]),
            BadBody.LineAfterThePath => [.. Lines(push.Metadata(), runs), Line(null, [push.Hashes[0]])],
            BadBody.NoPathLine => [.. runs.Select(run => Line(null, run))],
            BadBody.NotJson => [Line(null, runs[0]), "{\"chunks\": [", .. Lines(push.Metadata(), runs.Skip(1).ToList())],
            BadBody.NoChunks => Lines(push.Metadata(), []),
            BadBody.MissingReference => Lines(push.Metadata(references: [$"{PushedPath.RandomHashPart()}-absent"]), runs),
            _ => throw new ArgumentOutOfRangeException(nameof(bad)),
        };

        using var response = await CommitAsync(lines);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, message);
        await push.AssertNotVisibleAsync(_app, _client, _cache);
    }

    [Fact]
    public async Task A_body_that_breaks_off_publishes_nothing()
    {
        var push = await UploadedAsync();
        var runs = Runs(push.Hashes, 3);

        await Assert.ThrowsAnyAsync<Exception>(() => _client.PostAsync(
            $"api/v1/caches/{_cache}/chunked-paths/stream", new StreamedCommitBody([.. runs.Select(run => Line(null, run))], breakOff: true)));

        await push.AssertNotVisibleAsync(_app, _client, _cache);
        using var complete = await CommitAsync(Lines(push.Metadata(), runs));
        await ApiAssert.OkAsync(complete, ChunkJsonContext.Default.PushResult, HttpStatusCode.Created);
    }

    [Fact]
    public async Task Chunks_collected_while_the_body_was_open_are_refused_at_its_end()
    {
        var push = await UploadedAsync();

        // The chunks are not used by any path yet: maintenance may collect them once their grace has passed.
        using var response = await _client.PostAsync($"api/v1/caches/{_cache}/chunked-paths/stream", new StreamedCommitBody(
            Lines(push.Metadata(), Runs(push.Hashes, 3)),
            beforeLastLine: () => _app.Metadata.ReapChunksAsync(DateTimeOffset.MaxValue, DateTimeOffset.UtcNow, 10_000, CancellationToken.None)));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "does not hold chunk");
        await push.AssertNotVisibleAsync(_app, _client, _cache);
    }

    private async Task<ChunkedPush> UploadedAsync()
    {
        var push = await ChunkedPush.CreateAsync();
        foreach (var chunk in push.Chunks)
        {
            using (await ChunkedPush.UploadAsync(_client, _cache, chunk, CompressionKind.Zstd))
            {
            }
        }
        return push;
    }

    private Task<HttpResponseMessage> CommitAsync(IReadOnlyList<string> lines) =>
        _client.PostAsync($"api/v1/caches/{_cache}/chunked-paths/stream", new StreamedCommitBody(lines));

    private static List<IReadOnlyList<string>> Runs(IReadOnlyList<string> hashes, int size) => [.. hashes.Chunk(size)];

    private static List<string> Lines(PushPathMetadata path, IReadOnlyList<IReadOnlyList<string>> runs) =>
        [.. runs.Select(run => Line(null, run)), Line(path, [])];

    private static string Line(PushPathMetadata? path, IReadOnlyList<string> chunks) =>
        JsonSerializer.Serialize(new ChunkedPathRequest(path, chunks), ChunkJsonContext.Default.ChunkedPathRequest);
}
