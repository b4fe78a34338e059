using Larder.Cli.Client;
using Larder.Cli.Commands.Push;
using Larder.Cli.Infrastructure;
using Larder.Cli.LocalStore;
using Larder.Cli.Output;
using Larder.Contracts.Chunks;
using Larder.Contracts.Push;
using Larder.Nix.Chunking;
using Larder.Nix.Nar;
using Larder.Testing;

namespace Larder.Cli.Tests.Push;

/// <summary>
/// The client's chunk-push logic against a real server cutting small chunks (<see cref="SmallChunksServer"/>), so a
/// few MiB make dozens of chunks; what the server received is read from its database.
/// </summary>
public sealed class ChunkedPushTests : IClassFixture<SmallChunksServer>, IAsyncLifetime
{
    private const string Nix32Alphabet = "0123456789abcdfghijklmnpqrsvwxyz";

    private readonly SmallChunksServer _server;
    private readonly TempDirectory _root = new("larder-chunked-push");
    private readonly RequestRecorder _requests = new();
    private readonly LarderClient _client;
    private ChunkingParameters _small = null!;
    private string _cache = null!;

    public ChunkedPushTests(SmallChunksServer server)
    {
        _server = server;
        _client = server.NewClient(_requests);
    }

    public async Task InitializeAsync()
    {
        _cache = await _server.CreateCacheAsync(_client, "chunks");
        _small = (await _client.GetChunkingAsync(_cache, CancellationToken.None))! with { MaxChunksPerRequest = 50 };
        Assert.Equal(64 << 10, _small.AverageSize);
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        _root.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData(16 << 10, false)]
    [InlineData((16 << 10) + 1, true)]
    [InlineData(1, false)]
    public void Only_NARs_larger_than_MinSize_are_worth_chunking(long narSize, bool expected) =>
        Assert.Equal(expected, ChunkedPush.IsWorthChunking(_small, narSize));

    [Fact]
    public void A_NAR_below_a_single_chunk_threshold_larger_than_MinSize_is_not_worth_chunking() =>
        Assert.False(ChunkedPush.IsWorthChunking(_small with { SingleChunkThreshold = 64 << 10 }, 40 << 10));

    [Fact]
    public async Task Second_version_sends_only_the_chunks_the_server_lacks_and_commits_the_whole_chunk_list()
    {
        var bytes = RandomBytes(2 << 20, seed: 1);
        var first = await MakePathAsync("v1", bytes);
        var before = _server.StoredChunks();
        var (firstPush, _) = await PushAsync(first);
        var afterFirst = _server.StoredChunks();
        Assert.Equal(first.NarSize, afterFirst.Bytes - before.Bytes);
        Assert.Equal(first.NarSize, firstPush.SentBytes);

        bytes[1 << 20] ^= 0xFF;
        var second = await MakePathAsync("v2", [.. bytes[..1000], 42, .. bytes[1000..]]);
        var (push, result) = await PushAsync(second);

        var stored = _server.StoredChunks().Bytes - afterFirst.Bytes;
        Assert.Equal(PushResult.Committed, result.Outcome);
        Assert.Equal(stored, push.SentBytes);
        Assert.Equal(second.NarSize, push.SentBytes + push.DeduplicatedBytes);
        Assert.InRange(stored, 1, second.NarSize / 4);
        Assert.Equal(await ChunkHashesAsync(second), _server.ChunksOfNar(second.NarHash));
        Assert.Equal((2, 0), (_requests.StreamedCommits, _requests.Commits));
    }

    [Fact]
    public async Task A_NAR_of_new_chunks_goes_up_in_full_packs_while_its_commit_is_streamed()
    {
        var path = await MakePathAsync("new", RandomBytes(3 << 20, seed: 13));

        var (_, result) = await PushAsync(path);

        Assert.Equal(PushResult.Committed, result.Outcome);
        Assert.Equal(1, _requests.StreamedCommits);
        Assert.InRange(_requests.MissingRequests.Count, 3, int.MaxValue);
        Assert.Equal(1, _server.ObjectsOfNar(path.NarHash));
    }

    [Fact]
    public async Task A_server_without_streamed_commits_gets_the_whole_chunk_list_at_the_commit()
    {
        var path = await MakePathAsync("old-server", RandomBytes(1 << 20, seed: 10));

        var (_, result) = await PushAsync(path, _small with { StreamedCommit = false });

        Assert.Equal(PushResult.Committed, result.Outcome);
        Assert.Equal((0, 1), (_requests.StreamedCommits, _requests.Commits));
        Assert.Equal(await ChunkHashesAsync(path), _server.ChunksOfNar(path.NarHash));
    }

    [Fact]
    public async Task A_streamed_commit_that_fails_on_its_way_is_replaced_by_the_whole_chunk_list_commit()
    {
        var path = await MakePathAsync("proxied", RandomBytes(1 << 20, seed: 12));
        _requests.TimeOutStreamedCommits = true;

        var (_, result) = await PushAsync(path);

        Assert.Equal(PushResult.Committed, result.Outcome);
        Assert.Equal((1, 1), (_requests.StreamedCommits, _requests.Commits));
        Assert.Equal(await ChunkHashesAsync(path), _server.ChunksOfNar(path.NarHash));
    }

    [Fact]
    public async Task Paths_beyond_the_open_streamed_commits_commit_their_whole_chunk_list()
    {
        var paths = new List<LocalPathInfo>();
        for (var i = 0; i <= ChunkedPush.MaxOpenCommits; i++)
        {
            paths.Add(await MakePathAsync($"many-{i}", RandomBytes(100 << 10, seed: 20 + i)));
        }
        var push = NewPush(_small);
        await push.PlanAsync(paths, CancellationToken.None);

        foreach (var path in paths)
        {
            Assert.Equal(PushResult.Committed, (await push.PushAsync(path, Metadata(path), CancellationToken.None)).Outcome);
            Assert.Equal(await ChunkHashesAsync(path), _server.ChunksOfNar(path.NarHash));
        }
        Assert.Equal((ChunkedPush.MaxOpenCommits, 1), (_requests.StreamedCommits, _requests.Commits));
    }

    [Fact]
    public async Task A_planned_path_never_committed_is_not_published_when_its_streamed_commit_is_abandoned()
    {
        var path = await MakePathAsync("abandoned", RandomBytes(1 << 20, seed: 11));
        var push = NewPush(_small);
        await push.PlanAsync([path], CancellationToken.None);

        push.AbandonUnfinished();

        Assert.Equal(1, _requests.StreamedCommits);
        Assert.Empty(_server.ChunksOfNar(path.NarHash));
        Assert.Equal(PushResult.Committed, (await PushAsync(path)).Result.Outcome);
    }

    [Fact]
    public async Task Chunks_repeated_within_a_NAR_are_sent_once()
    {
        var block = RandomBytes(512 << 10, seed: 2);
        var path = await MakePathAsync("repeated", [.. block, .. block, .. block, .. block]);
        var before = _server.StoredChunks();

        var (push, _) = await PushAsync(path);

        var stored = _server.StoredChunks().Bytes - before.Bytes;
        Assert.InRange(stored, 512 << 10, (512 << 10) * 2);
        Assert.Equal(stored, push.SentBytes);
        Assert.Equal(path.NarSize, push.SentBytes + push.DeduplicatedBytes);
    }

    [Fact]
    public async Task Commit_refused_for_chunks_the_server_lost_sends_those_again_and_commits()
    {
        var path = await MakePathAsync("lost", RandomBytes(1 << 20, seed: 3));
        var chunks = await ListChunksAsync(path);
        var lost = chunks.Chunks[3];
        _requests.BeforeFirstCommit = () => _server.LoseChunk(lost.Hash.ToNix32String());

        // The whole-list commit: a streamed one starts before the chunks are sent, when there is nothing to lose yet.
        var (push, result) = await PushAsync(path, _small with { StreamedCommit = false });

        Assert.Equal(PushResult.Committed, result.Outcome);
        Assert.Equal(2, _requests.Commits);
        Assert.Equal(path.NarSize + lost.Length, push.SentBytes);
        Assert.Equal(0, push.DeduplicatedBytes);
        Assert.Equal(await ChunkHashesAsync(path), _server.ChunksOfNar(path.NarHash));
    }

    [Fact]
    public async Task A_path_whose_bytes_change_before_a_refused_commit_is_repaired_fails_without_a_commit()
    {
        var path = await MakePathAsync("changing", RandomBytes(1 << 20, seed: 4));
        var chunks = await ListChunksAsync(path);
        var push = NewPush(_small with { StreamedCommit = false });
        await push.PlanAsync([path], CancellationToken.None);

        // The server loses the chunk holding the byte that changes, so the refused commit makes the client read the NAR
        // again and send that chunk, which no longer has its hash.
        const int changedAt = 600 << 10;
        var holder = chunks.Chunks.IndexAt(changedAt); // the NAR's header before the file's bytes is far shorter than a chunk
        _requests.BeforeFirstCommit = () => _server.LoseChunk(chunks.Chunks[holder].Hash.ToNix32String());
        var file = Path.Combine(path.Path, "data");
        var changed = File.ReadAllBytes(file);
        changed[changedAt] ^= 1;
        File.WriteAllBytes(file, changed);
        var error = await Assert.ThrowsAsync<CliException>(() => push.PushAsync(path, Metadata(path), CancellationToken.None));

        Assert.Contains("changed while it was pushed", error.Message);
        Assert.Equal(1, _requests.Commits);
        Assert.Empty(_server.ChunksOfNar(path.NarHash));
    }

    [Fact]
    public async Task A_path_longer_than_its_recorded_NarSize_is_left_to_the_whole_NAR_upload()
    {
        var path = await MakePathAsync("corrupt", RandomBytes(1 << 20, seed: 5));
        File.AppendAllText(Path.Combine(path.Path, "data"), "tampered");
        var push = NewPush(_small);

        await push.PlanAsync([path], CancellationToken.None);

        Assert.False(push.Handles(path));
    }

    [Fact]
    public async Task A_path_of_its_recorded_size_but_not_its_NarHash_is_refused_by_the_server_and_nothing_is_visible()
    {
        var path = await MakePathAsync("same-size", RandomBytes(1 << 20, seed: 9));
        var file = Path.Combine(path.Path, "data");
        var changed = File.ReadAllBytes(file);
        changed[300 << 10] ^= 1;
        File.WriteAllBytes(file, changed);
        var push = NewPush(_small);
        await push.PlanAsync([path], CancellationToken.None);

        var error = await Assert.ThrowsAsync<CliException>(() => push.PushAsync(path, Metadata(path), CancellationToken.None));

        Assert.Contains("NarHash", error.Message);
        Assert.Empty(_server.ChunksOfNar(path.NarHash));
    }

    [Fact]
    public async Task Missing_chunks_are_asked_window_by_window_as_the_NAR_is_read()
    {
        var path = await MakePathAsync("windows", RandomBytes(ChunkedPush.WindowBytes * 5 / 2, seed: 6));
        var chunks = await ListChunksAsync(path);
        var expected = new List<int>();
        var (count, bytes) = (0, 0L);
        foreach (var chunk in chunks.Chunks)
        {
            (count, bytes) = (count + 1, bytes + chunk.Length);
            if (bytes >= ChunkedPush.WindowBytes || count == ChunkedPush.WindowChunks)
            {
                expected.Add(count);
                (count, bytes) = (0, 0);
            }
        }
        expected.Add(count);
        var push = NewPush(_small with { MaxChunksPerRequest = 1000 });

        await push.PlanAsync([path], CancellationToken.None);

        Assert.True(push.Handles(path));
        Assert.InRange(expected.Count, 3, int.MaxValue);
        Assert.Equal(expected, _requests.MissingRequests);
    }

    [Fact]
    public async Task A_NAR_with_more_chunks_than_one_commit_takes_is_left_to_the_whole_NAR_upload()
    {
        var path = await MakePathAsync("many", RandomBytes(2 << 20, seed: 8));
        var push = NewPush(_small with { MaxChunksPerRequest = 5 });

        await push.PlanAsync([path], CancellationToken.None);

        Assert.False(push.Handles(path));
    }

    private ChunkedPush NewPush(ChunkingParameters parameters) =>
        new(_client, _cache, parameters, jobs: 3, new PlainPushProgress(TextWriter.Null));

    private async Task<(ChunkedPush Push, PushResult Result)> PushAsync(LocalPathInfo path, ChunkingParameters? parameters = null)
    {
        var push = NewPush(parameters ?? _small);
        await push.PlanAsync([path], CancellationToken.None);
        Assert.True(push.Handles(path));
        return (push, await push.PushAsync(path, Metadata(path), CancellationToken.None));
    }

    private async Task<List<string>> ChunkHashesAsync(LocalPathInfo path) =>
        [.. (await ListChunksAsync(path)).Chunks.Select(c => c.Hash.ToNix32String())];

    private Task<NarChunks> ListChunksAsync(LocalPathInfo path) =>
        NarChunks.FromPathAsync(path.Path, new FastCdcChunker(new ChunkingOptions
        {
            MinSize = _small.MinSize, AverageSize = _small.AverageSize, MaxSize = _small.MaxSize, SingleChunkThreshold = _small.SingleChunkThreshold,
        }), (chunk, _) =>
        {
            chunk.Dispose();
            return ValueTask.CompletedTask;
        });

    // The path is read from a temp folder and committed under the store path of the same name.
    private static PushPathMetadata Metadata(LocalPathInfo path) =>
        new($"/nix/store/{Path.GetFileName(path.Path)}", path.NarHash, path.NarSize, [], null, [], null);

    private async Task<LocalPathInfo> MakePathAsync(string name, byte[] content)
    {
        var hashPart = string.Concat(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).Select(b => Nix32Alphabet[b % 32]));
        var directory = Path.Combine(_root.Path, $"{hashPart}-{name}");
        Directory.CreateDirectory(directory);
        await File.WriteAllBytesAsync(Path.Combine(directory, "data"), content);
        var hash = await NarHashing.HashPathAsync(directory);
        return new LocalPathInfo(directory, hash.NarHash.ToNix32String(), hash.NarSize, [], null, [], null);
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
