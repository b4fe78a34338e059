using Larder.Nix.Chunking;

namespace Larder.Nix.Tests.Chunking;

public class ChunkingWriteStreamTests
{
    private static readonly FastCdcChunker Chunker = new(ChunkingData.Small with { SingleChunkThreshold = 3000 });

    public static TheoryData<int, bool> Writes => new() { { 1, false }, { 7, true }, { 5000, true }, { 200_000, false }, { 1 << 20, true } };

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task Gives_the_same_chunks_as_the_reader(int writeSize, bool async)
    {
        var data = ChunkingData.RandomBytes(writeSize == 1 ? 100_000 : 2 * 1024 * 1024, seed: 6);
        var expected = await ChunkingData.ReadAllAsync(Chunker, new MemoryStream(data));
        var received = new List<(long Offset, int Length, string Hash, byte[] Bytes)>();
        await using var sink = new ChunkingWriteStream(Chunker, (chunk, _) =>
        {
            using (chunk)
            {
                received.Add((chunk.Offset, chunk.Length, chunk.Hash.ToString(), chunk.Data.ToArray()));
            }
            return ValueTask.CompletedTask;
        });
        for (int offset = 0; offset < data.Length; offset += writeSize)
        {
            var slice = data.AsMemory(offset, Math.Min(writeSize, data.Length - offset));
            if (async)
            {
                await sink.WriteAsync(slice);
            }
            else
            {
                sink.Write(slice.Span);
            }
        }
        await sink.CompleteAsync();

        Assert.Equal(expected.Select(c => (c.Offset, c.Length, c.Hash)), received.Select(c => (c.Offset, c.Length, c.Hash)));
        Assert.Equal(data, received.SelectMany(c => c.Bytes).ToArray());
        Assert.Equal(data.Length, sink.Length);
        Assert.Equal(expected.Count, sink.ChunkCount);
    }

    [Fact]
    public async Task A_write_waits_for_the_callback_of_each_chunk_it_completes()
    {
        var release = new TaskCompletionSource();
        int started = 0;
        await using var sink = new ChunkingWriteStream(Chunker, async (chunk, _) =>
        {
            chunk.Dispose();
            Interlocked.Increment(ref started);
            await release.Task;
        });
        var writing = sink.WriteAsync(ChunkingData.RandomBytes(100_000)).AsTask();
        await Task.Delay(100);
        Assert.False(writing.IsCompleted);
        Assert.Equal(1, Volatile.Read(ref started));
        release.SetResult();
        await writing;
        Assert.True(sink.ChunkCount > 1);
    }

    [Fact]
    public async Task Synchronous_writes_block_on_an_asynchronous_callback()
    {
        int received = 0;
        await using var sink = new ChunkingWriteStream(Chunker, async (chunk, _) =>
        {
            await Task.Yield();
            chunk.Dispose();
            received++;
        });
        sink.Write(ChunkingData.RandomBytes(100_000));
        Assert.Equal(sink.ChunkCount, received);
        Assert.True(received > 1);
    }

    [Fact]
    public async Task Empty_input_gives_no_chunk_and_writing_after_completion_throws()
    {
        int received = 0;
        await using var sink = new ChunkingWriteStream(Chunker, (chunk, _) =>
        {
            chunk.Dispose();
            received++;
            return ValueTask.CompletedTask;
        });
        await sink.CompleteAsync();
        Assert.Equal(0, received);
        Assert.False(sink.CanWrite);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => sink.WriteAsync(new byte[1]).AsTask());
        Assert.Contains("completed", error.Message);
    }

    [Fact]
    public async Task After_a_failed_callback_every_write_and_completion_throws()
    {
        await using var sink = new ChunkingWriteStream(Chunker, (chunk, _) =>
        {
            chunk.Dispose();
            throw new IOException("blob store down");
        });
        await Assert.ThrowsAsync<IOException>(() => sink.WriteAsync(ChunkingData.RandomBytes(100_000)).AsTask());
        Assert.False(sink.CanWrite);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => sink.WriteAsync(new byte[1]).AsTask());
        Assert.Contains("callback failed", error.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => sink.CompleteAsync());
    }

    [Fact]
    public void Disposing_without_completing_discards_the_unfinished_chunk()
    {
        int received = 0;
        var sink = new ChunkingWriteStream(Chunker, (chunk, _) =>
        {
            chunk.Dispose();
            received++;
            return ValueTask.CompletedTask;
        });
        sink.Write(new byte[500]);
        sink.Dispose();
        Assert.Equal(0, received);
        Assert.Throws<ObjectDisposedException>(() => sink.Write(new byte[1]));
    }
}
