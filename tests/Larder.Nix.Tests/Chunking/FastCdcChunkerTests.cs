using Larder.Nix.Chunking;

namespace Larder.Nix.Tests.Chunking;

public class FastCdcChunkerTests
{
    private readonly FastCdcChunker _chunker = new(ChunkingData.Small);

    [Fact]
    public void Every_chunk_but_the_last_is_between_min_and_max()
    {
        var lengths = ChunkingData.CutLengths(_chunker, ChunkingData.RandomBytes(2 * 1024 * 1024));
        Assert.Equal(2 * 1024 * 1024, lengths.Sum());
        Assert.All(lengths[..^1], length => Assert.InRange(length, 1024 + 1, 16384));
        Assert.InRange(lengths[^1], 1, 16384);
        Assert.InRange(lengths.Average(), 3500, 5500); // normalized chunking keeps sizes near AverageSize
    }

    [Fact]
    public void Data_without_cut_points_is_cut_at_max_size()
    {
        var zeros = new byte[40_000]; // the hash of a run of zeros never reaches the cut threshold
        Assert.Equal([16384, 16384, 7232], ChunkingData.CutLengths(_chunker, zeros));
    }

    [Theory]
    [InlineData(0, false, false, 0)]
    [InlineData(0, true, false, 0)]
    [InlineData(500, false, false, 0)]
    [InlineData(500, true, true, 500)]
    [InlineData(1024, false, false, 0)]
    [InlineData(1024, true, true, 1024)]
    public void Short_data_needs_more_input_unless_final(int length, bool isFinal, bool found, int expectedLength)
    {
        Assert.Equal(found, _chunker.TryFindCutPoint(ChunkingData.RandomBytes(length), isFinal, out int chunkLength));
        Assert.Equal(expectedLength, chunkLength);
    }

    [Fact]
    public void Search_resumed_over_a_growing_chunk_finds_the_same_cut_points()
    {
        var data = ChunkingData.RandomBytes(1024 * 1024, seed: 7);
        var expected = ChunkingData.CutLengths(_chunker, data);
        var random = new Random(3);
        var found = new List<int>();
        int start = 0, available = 0;
        var search = default(CutPointSearch);
        while (start < data.Length)
        {
            available = Math.Min(data.Length - start, available + random.Next(1, 3000));
            bool isFinal = start + available == data.Length;
            if (_chunker.TryFindCutPoint(data.AsSpan(start, available), isFinal, ref search, out int length))
            {
                found.Add(length);
                start += length;
                available -= length;
                search = default;
            }
            else
            {
                Assert.InRange(search.Position, 0, available);
            }
        }
        Assert.Equal(expected, found);
    }
}
