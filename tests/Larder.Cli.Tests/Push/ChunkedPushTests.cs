using Larder.Cli.Client;
using Larder.Cli.Commands.Push;
using Larder.Cli.Config;
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
/// The client's chunk-push logic against <see cref="ChunkServerDouble"/> (the end-to-end tests run it against the real
/// server): small chunk sizes, so a few MiB make dozens of chunks.
/// </summary>
public sealed class ChunkedPushTests : IDisposable
{
    private static readonly ChunkingParameters Small = new(MinSize: 16 << 10, AverageSize: 64 << 10, MaxSize: 256 << 10,
        SingleChunkThreshold: 8 << 10, MaxChunksPerRequest: 50);

    private readonly TempDirectory _root = new("larder-chunked-push");
    private readonly ChunkServerDouble _server = new();
    private readonly LarderClient _client;

    public ChunkedPushTests() =>
        _client = new LarderClient(new ServerTarget("double", new Uri("http://chunks.invalid/"), "token"), maxRetries: 0, handler: _server);

    public void Dispose()
    {
        _client.Dispose();
        _root.Dispose();
    }

    [Theory]
    [InlineData(16 << 10, false)]
    [InlineData((16 << 10) + 1, true)]
    [InlineData(1, false)]
    public void Only_NARs_larger_than_MinSize_are_worth_chunking(long narSize, bool expected) =>
        Assert.Equal(expected, ChunkedPush.IsWorthChunking(Small, narSize));

    [Fact]
    public void A_NAR_below_a_single_chunk_threshold_larger_than_MinSize_is_not_worth_chunking() =>
        Assert.False(ChunkedPush.IsWorthChunking(Small with { SingleChunkThreshold = 64 << 10 }, 40 << 10));

    [Fact]
    public async Task Second_version_sends_only_the_chunks_the_server_lacks_and_commits_the_whole_chunk_list()
    {
        var bytes = RandomBytes(2 << 20, seed: 1);
        var first = await MakePathAsync("v1", bytes);
        await PushAsync(first);
        var afterFirst = _server.ReceivedBytes;
        Assert.Equal(first.NarSize, afterFirst);

        bytes[1 << 20] ^= 0xFF;
        var second = await MakePathAsync("v2", [.. bytes[..1000], 42, .. bytes[1000..]]);
        var (push, result) = await PushAsync(second);

        var sent = _server.ReceivedBytes - afterFirst;
        Assert.Equal(PushResult.Committed, result.Outcome);
        Assert.Equal(second.NarSize, sent + push.DeduplicatedBytes);
        Assert.Equal(sent, push.SentBytes);
        Assert.InRange(sent, 1, second.NarSize / 4);
    }

    [Fact]
    public async Task Chunks_repeated_within_a_NAR_are_sent_once()
    {
        var block = RandomBytes(512 << 10, seed: 2);
        var path = await MakePathAsync("repeated", [.. block, .. block, .. block, .. block]);

        var (push, _) = await PushAsync(path);

        Assert.InRange(_server.ReceivedBytes, 512 << 10, (512 << 10) * 2);
        Assert.Equal(path.NarSize, push.SentBytes + push.DeduplicatedBytes);
    }

    [Fact]
    public async Task Commit_refused_for_chunks_the_server_lost_sends_those_again_and_commits()
    {
        var path = await MakePathAsync("lost", RandomBytes(1 << 20, seed: 3));
        var chunks = await ListChunksAsync(path);
        var lost = chunks.Chunks[3].Hash.ToNix32String();
        _server.LoseBeforeFirstCommit.Add(lost);

        var (push, result) = await PushAsync(path);

        Assert.Equal(PushResult.Committed, result.Outcome);
        Assert.Equal(2, _server.Commits);
        Assert.Equal(path.NarSize + chunks.Chunks[3].Length, push.SentBytes);
        Assert.Equal(0, push.DeduplicatedBytes);
    }

    [Fact]
    public async Task A_path_whose_bytes_change_between_the_two_reads_fails_without_a_commit()
    {
        var path = await MakePathAsync("changing", RandomBytes(1 << 20, seed: 4));
        var push = new ChunkedPush(_client, "c", Small, jobs: 3, new PlainPushProgress(TextWriter.Null));
        await push.PlanAsync([path], CancellationToken.None);

        var file = Path.Combine(path.Path, "data");
        var changed = File.ReadAllBytes(file);
        changed[600 << 10] ^= 1;
        File.WriteAllBytes(file, changed);
        var error = await Assert.ThrowsAsync<CliException>(() => push.PushAsync(path, Metadata(path), CancellationToken.None));

        Assert.Contains("changed while it was pushed", error.Message);
        Assert.Equal(0, _server.Commits);
    }

    [Fact]
    public async Task A_path_that_does_not_match_its_recorded_NarHash_is_left_to_the_whole_NAR_upload()
    {
        var path = await MakePathAsync("corrupt", RandomBytes(1 << 20, seed: 5));
        File.AppendAllText(Path.Combine(path.Path, "data"), "tampered");
        var push = new ChunkedPush(_client, "c", Small, jobs: 2, new PlainPushProgress(TextWriter.Null));

        await push.PlanAsync([path], CancellationToken.None);

        Assert.False(push.Handles(path));
    }

    [Fact]
    public async Task Missing_chunks_of_all_paths_are_asked_together_in_batches_of_at_most_MaxChunksPerRequest()
    {
        LocalPathInfo[] paths = [await MakePathAsync("batch1", RandomBytes(2 << 20, seed: 6)), await MakePathAsync("batch2", RandomBytes(2 << 20, seed: 7))];
        var distinct = 0;
        foreach (var path in paths)
        {
            distinct += (await ListChunksAsync(path)).Chunks.Count;
        }
        Assert.True(distinct > Small.MaxChunksPerRequest, "the test needs more chunks than one request takes");
        var push = new ChunkedPush(_client, "c", Small, jobs: 2, new PlainPushProgress(TextWriter.Null));

        await push.PlanAsync(paths, CancellationToken.None);

        Assert.All(paths, path => Assert.True(push.Handles(path)));
        Assert.Equal((distinct + Small.MaxChunksPerRequest - 1) / Small.MaxChunksPerRequest, _server.MissingRequests.Count);
        Assert.All(_server.MissingRequests, count => Assert.InRange(count, 1, Small.MaxChunksPerRequest));
    }

    [Fact]
    public async Task A_NAR_with_more_chunks_than_one_commit_takes_is_left_to_the_whole_NAR_upload()
    {
        var path = await MakePathAsync("many", RandomBytes(2 << 20, seed: 8));
        var push = new ChunkedPush(_client, "c", Small with { MaxChunksPerRequest = 5 }, jobs: 2, new PlainPushProgress(TextWriter.Null));

        await push.PlanAsync([path], CancellationToken.None);

        Assert.False(push.Handles(path));
    }

    private async Task<(ChunkedPush Push, PushResult Result)> PushAsync(LocalPathInfo path)
    {
        var push = new ChunkedPush(_client, "c", Small, jobs: 3, new PlainPushProgress(TextWriter.Null));
        await push.PlanAsync([path], CancellationToken.None);
        Assert.True(push.Handles(path));
        return (push, await push.PushAsync(path, Metadata(path), CancellationToken.None));
    }

    private static Task<NarChunks> ListChunksAsync(LocalPathInfo path) =>
        NarChunks.FromPathAsync(path.Path, new FastCdcChunker(new ChunkingOptions
        {
            MinSize = Small.MinSize, AverageSize = Small.AverageSize, MaxSize = Small.MaxSize, SingleChunkThreshold = Small.SingleChunkThreshold,
        }), (chunk, _) =>
        {
            chunk.Dispose();
            return ValueTask.CompletedTask;
        });

    private static PushPathMetadata Metadata(LocalPathInfo path) => new(path.Path, path.NarHash, path.NarSize, [], null, [], null);

    private async Task<LocalPathInfo> MakePathAsync(string name, byte[] content)
    {
        var directory = Path.Combine(_root.Path, $"{new string('a', 32)}-{name}");
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
