using Larder.Nix.Chunking;
using Larder.Nix.Nar;
using Larder.Testing;

namespace Larder.Nix.Tests.Chunking;

public class NarChunksTests
{
    [Fact]
    public async Task FromPathAsync_chunks_the_nar_as_dumped_and_hashes_it()
    {
        using var dir = new TempDirectory();
        string root = Path.Combine(dir.Path, "tree");
        Directory.CreateDirectory(root);
        File.WriteAllBytes(Path.Combine(root, "big"), ChunkingData.RandomBytes(600_000, seed: 12));
        File.WriteAllText(Path.Combine(root, "small"), "hello");
        File.CreateSymbolicLink(Path.Combine(root, "link"), "small");
        var chunker = new FastCdcChunker(ChunkingData.Small);

        var nar = new MemoryStream();
        await NarWriter.WriteAsync(root, nar);
        var received = new MemoryStream();
        var result = await NarChunks.FromPathAsync(root, chunker, (chunk, _) =>
        {
            using (chunk)
            {
                received.Write(chunk.Data.Span);
            }
            return ValueTask.CompletedTask;
        });

        var expected = await NarHashing.HashPathAsync(root);
        Assert.Equal(expected.NarHash, result.NarHash);
        Assert.Equal(expected.NarSize, result.NarSize);
        Assert.Equal(nar.ToArray(), received.ToArray());
        Assert.Equal(result.NarSize, result.Chunks.TotalLength);
        var listed = await ChunkList.FromStreamAsync(new MemoryStream(nar.ToArray()), chunker);
        Assert.Equal(listed, result.Chunks);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task ListAsync_gives_the_same_hash_size_and_chunks_as_FromPathAsync_whatever_the_hashing_threads(int hashingThreads)
    {
        using var dir = new TempDirectory();
        string root = Path.Combine(dir.Path, "tree");
        Directory.CreateDirectory(root);
        File.WriteAllBytes(Path.Combine(root, "big"), ChunkingData.RandomBytes(900_000, seed: 13));
        File.WriteAllText(Path.Combine(root, "small"), "hello");
        var chunker = new FastCdcChunker(ChunkingData.Small);
        var expected = await NarChunks.FromPathAsync(root, chunker, (chunk, _) =>
        {
            chunk.Dispose();
            return ValueTask.CompletedTask;
        });

        var listed = await NarChunks.ListAsync(root, chunker, hashingThreads);

        Assert.Equal(expected.NarHash, listed.NarHash);
        Assert.Equal(expected.NarSize, listed.NarSize);
        Assert.True(listed.Chunks.Count > 3, "the test needs several chunks");
        Assert.Equal(expected.Chunks, listed.Chunks);
    }
}
