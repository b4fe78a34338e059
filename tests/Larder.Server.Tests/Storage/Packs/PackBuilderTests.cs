using Larder.Nix.Hashing;
using Larder.Server.Storage.Chunks;
using Larder.Server.Storage.Packs;
using Larder.Server.Tests.BinaryCache;

namespace Larder.Server.Tests.Storage.Packs;

public sealed class PackBuilderTests
{
    [Theory]
    [InlineData(1 << 20, 60, 3000)] // doubling from the first buffer
    [InlineData(4 << 20, 14, 100_000)] // then past the doubling limit to the whole pack size
    public void A_pack_growing_past_several_buffers_holds_its_chunks_stored_bytes_in_order_at_their_offsets(int capacity, int count, int size)
    {
        using var pack = new PackBuilder(capacity);
        var chunks = Enumerable.Range(0, count).Select(i => Compressed(size + (i * 97))).ToList();

        var records = chunks.Select(pack.Add).ToList();

        var expected = chunks.SelectMany(chunk => chunk.Stored.ToArray()).ToArray();
        Assert.Equal(expected, pack.Bytes.ToArray());
        for (var i = 0; i < chunks.Count; i++)
        {
            Assert.Equal(chunks[i].Stored.ToArray(), pack.Bytes.Slice((int)records[i].PackOffset, (int)records[i].StoredSize).ToArray());
        }
        foreach (var chunk in chunks)
        {
            chunk.Dispose();
        }
    }

    [Fact]
    public void A_pack_refuses_a_chunk_beyond_its_capacity_and_starts_empty_after_a_reset()
    {
        using var pack = new PackBuilder(10_000);
        using var first = Compressed(6000);
        using var second = Compressed(6000);
        pack.Add(first);

        Assert.False(pack.Fits(second));
        Assert.Throws<InvalidOperationException>(() => pack.Add(second));
        pack.Reset();
        Assert.Equal(0, pack.Bytes.Length);
        pack.Add(second);
        Assert.Equal(second.Stored.ToArray(), pack.Bytes.ToArray());
    }

    [Fact]
    public void Appending_packs_moves_their_chunks_to_the_new_pack_at_offsets_after_what_it_held()
    {
        using var first = new PackBuilder(1 << 20);
        using var second = new PackBuilder(1 << 20);
        var chunks = Enumerable.Range(0, 5).Select(i => Compressed(20_000 + i)).ToList();
        chunks.Take(2).ToList().ForEach(chunk => first.Add(chunk));
        chunks.Skip(2).ToList().ForEach(chunk => second.Add(chunk));
        using var shared = new PackBuilder(first.Bytes.Length + second.Bytes.Length);

        Assert.Equal(0, shared.Append(first));
        Assert.Equal(2, shared.Append(second));

        Assert.Equal(chunks.SelectMany(chunk => chunk.Stored.ToArray()), shared.Bytes.ToArray());
        Assert.Equal(chunks.Select(chunk => chunk.Hash.ToNix32String()), shared.Chunks.Select(record => record.Hash));
        Assert.All(shared.Chunks, record => Assert.Equal((shared.Key, PackKeys.Member(shared.Key, record.PackOffset)), (record.PackKey, record.StorageKey)));
        for (var i = 0; i < chunks.Count; i++)
        {
            Assert.Equal(chunks[i].Stored.ToArray(), shared.Bytes.Slice((int)shared.Chunks[i].PackOffset, (int)shared.Chunks[i].StoredSize).ToArray());
        }
        Assert.False(shared.Fits(1));
        Assert.Throws<InvalidOperationException>(() => shared.Append(first));
        chunks.ForEach(chunk => chunk.Dispose());
    }

    [Fact]
    public void A_disposed_pack_has_no_bytes()
    {
        var pack = new PackBuilder(10_000);
        pack.Dispose();

        Assert.Throws<ObjectDisposedException>(() => pack.Bytes);
    }

    /// <summary>A chunk of random (incompressible) bytes, so its stored size is about <paramref name="size"/>.</summary>
    private static CompressedChunk Compressed(int size)
    {
        var data = NarFixtures.RandomBytes(size);
        return CompressedChunk.Compress(data, NixHash.Compute(HashKind.Sha256, data));
    }
}
