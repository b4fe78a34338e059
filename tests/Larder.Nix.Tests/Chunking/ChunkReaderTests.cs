using Larder.Nix.Chunking;
using Larder.Nix.Hashing;

namespace Larder.Nix.Tests.Chunking;

public class ChunkReaderTests
{
    public static TheoryData<string> ReadSizes => ["1", "7", "4096", "random", "unlimited"];

    private static Func<int> ReadSize(string name)
    {
        var random = new Random(11);
        return name switch
        {
            "random" => () => random.Next(1, 300_000),
            "unlimited" => () => int.MaxValue,
            _ => () => int.Parse(name),
        };
    }

    [Theory]
    [MemberData(nameof(ReadSizes))]
    public async Task Boundaries_do_not_depend_on_read_sizes(string readSize)
    {
        var options = ChunkingData.Small with { SingleChunkThreshold = 2000 };
        var data = ChunkingData.RandomBytes(readSize == "1" ? 100_000 : 1024 * 1024, seed: 5);
        var chunker = new FastCdcChunker(options);
        var chunks = await ChunkingData.ReadAllAsync(chunker, new SlicedReadStream(data, ReadSize(readSize)));
        Assert.Equal(ChunkingData.CutLengths(chunker, data), chunks.Select(c => c.Length));
    }

    [Fact]
    public async Task Chunks_concatenate_to_the_input_and_carry_their_offsets_and_hashes()
    {
        var data = ChunkingData.RandomBytes(10 * 1024 * 1024 + 123, seed: 2);
        var chunks = await ChunkingData.ReadAllAsync(new FastCdcChunker(), new MemoryStream(data));
        Assert.InRange(chunks.Count, 20, 80);
        Assert.Equal(data, chunks.SelectMany(c => c.Bytes).ToArray());
        long offset = 0;
        foreach (var chunk in chunks)
        {
            Assert.Equal(offset, chunk.Offset);
            Assert.Equal(chunk.Length, chunk.Bytes.Length);
            Assert.Equal(NixHash.Compute(HashKind.Sha256, chunk.Bytes).ToNix32String(), chunk.Hash);
            Assert.StartsWith("sha256:", chunk.Hash);
            Assert.InRange(chunk.Length, 1, ChunkingOptions.Default.MaxSize);
            offset += chunk.Length;
        }
    }

    [Fact]
    public async Task Empty_input_gives_no_chunk()
    {
        Assert.Empty(await ChunkingData.ReadAllAsync(new FastCdcChunker(), new MemoryStream()));
        Assert.Empty(await ChunkingData.ReadAllAsync(new FastCdcChunker(ChunkingData.Small), new MemoryStream()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64 * 1024 - 1)]
    [InlineData(64 * 1024)]
    public async Task Input_up_to_the_threshold_or_min_size_is_one_chunk(int length)
    {
        var data = ChunkingData.RandomBytes(length);
        var chunks = await ChunkingData.ReadAllAsync(new FastCdcChunker(), new MemoryStream(data));
        Assert.Equal(length, Assert.Single(chunks).Length);
    }

    [Fact]
    public async Task A_threshold_above_min_size_keeps_shorter_inputs_whole_and_chunks_longer_ones()
    {
        var chunker = new FastCdcChunker(ChunkingData.Small with { SingleChunkThreshold = 12_000 });
        var below = ChunkingData.RandomBytes(11_999, seed: 4);
        var atThreshold = ChunkingData.RandomBytes(12_000, seed: 4);
        Assert.True(ChunkingData.CutLengths(chunker, below).Count > 1);

        Assert.Single(await ChunkingData.ReadAllAsync(chunker, new MemoryStream(below)));
        var chunks = await ChunkingData.ReadAllAsync(chunker, new MemoryStream(atThreshold));
        Assert.Equal(ChunkingData.CutLengths(chunker, atThreshold), chunks.Select(c => c.Length));
        Assert.True(chunks.Count > 1);
    }

    [Theory]
    [InlineData(1, 4 * 1024 * 1024, 16, 3)]
    [InlineData(1, 4 * 1024 * 1024, 1, 2)]
    [InlineData(0, 16 * 1024 * 1024, 1000, 3)]
    public async Task An_insertion_changes_only_the_chunks_near_it(int settings, int length, int inserted, int maxChanged)
    {
        var options = settings == 1 ? ChunkingData.Small : ChunkingOptions.Default;
        var chunker = new FastCdcChunker(options);
        var original = ChunkingData.RandomBytes(length, seed: 9);
        var edited = original[..(length / 3)].Concat(ChunkingData.RandomBytes(inserted, seed: 10)).Concat(original[(length / 3)..]).ToArray();

        var before = (await ChunkingData.ReadAllAsync(chunker, new MemoryStream(original))).Select(c => c.Hash).ToHashSet();
        var after = (await ChunkingData.ReadAllAsync(chunker, new MemoryStream(edited))).Select(c => c.Hash).ToList();

        int changed = after.Count(hash => !before.Contains(hash));
        Assert.InRange(changed, 1, maxChanged);
        Assert.True(after.Count > 4 * maxChanged, $"only {after.Count} chunks: the test needs many");
    }

    [Fact]
    public async Task Chunk_data_is_unusable_after_dispose()
    {
        await foreach (var chunk in new FastCdcChunker().ReadChunksAsync(new MemoryStream(new byte[10])))
        {
            chunk.Dispose();
            chunk.Dispose();
            Assert.Throws<ObjectDisposedException>(() => chunk.Data);
        }
    }
}
