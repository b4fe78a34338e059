using Larder.Nix.Chunking;
using Larder.Nix.Hashing;

namespace Larder.Nix.Tests.Chunking;

public class ChunkListTests
{
    private static ChunkEntry Entry(int length) => new(NixHash.Compute(HashKind.Sha256, BitConverter.GetBytes(length)), length);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(9, 0)]
    [InlineData(10, 1)]
    [InlineData(14, 1)]
    [InlineData(15, 2)]
    [InlineData(114, 2)]
    public void IndexAt_finds_the_chunk_holding_an_offset(long offset, int index)
    {
        var list = new ChunkList([Entry(10), Entry(5), Entry(100)]);
        Assert.Equal(index, list.IndexAt(offset));
        Assert.Equal(115, list.TotalLength);
        Assert.Equal([0L, 10L, 15L], Enumerable.Range(0, list.Count).Select(list.OffsetOf));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(115)]
    public void IndexAt_rejects_offsets_outside_the_nar(long offset)
    {
        var list = new ChunkList([Entry(10), Entry(5), Entry(100)]);
        Assert.Throws<ArgumentOutOfRangeException>(() => list.IndexAt(offset));
    }

    [Fact]
    public void Empty_chunks_are_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new ChunkList([Entry(3), Entry(0)]));
        Assert.Contains("chunk 1", error.Message);
    }

    [Fact]
    public async Task FromStreamAsync_lists_what_the_reader_yields()
    {
        var data = ChunkingData.RandomBytes(300_000, seed: 8);
        var chunker = new FastCdcChunker(ChunkingData.Small);
        var list = await ChunkList.FromStreamAsync(new MemoryStream(data), chunker);
        var chunks = await ChunkingData.ReadAllAsync(chunker, new MemoryStream(data));
        Assert.Equal(chunks.Select(c => (c.Hash, c.Length)), list.Select(e => (e.Hash.ToString(), e.Length)));
        Assert.Equal(data.Length, list.TotalLength);
    }
}
