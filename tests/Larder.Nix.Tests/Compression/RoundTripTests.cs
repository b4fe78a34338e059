using Larder.Nix.Compression;
using Larder.Nix.Tests.Compression.Support;
using Larder.Testing.Compression;

namespace Larder.Nix.Tests.Compression;

public class RoundTripTests
{
    private static readonly CompressionKind[] AllKinds = Enum.GetValues<CompressionKind>();

    public static TheoryData<CompressionKind, string, int> Matrix()
    {
        var data = new TheoryData<CompressionKind, string, int>();
        foreach (var kind in AllKinds)
        {
            foreach (var size in new[] { 0, 1, TestData.MiB })
            {
                data.Add(kind, "random", size);
                data.Add(kind, "compressible", size);
            }
        }

        return data;
    }

    public static TheoryData<CompressionKind> Kinds()
    {
        var data = new TheoryData<CompressionKind>();
        foreach (var kind in AllKinds)
        {
            data.Add(kind);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Round_trip_restores_the_data(CompressionKind kind, string content, int size)
    {
        var data = TestData.Make(content, size);
        var compressed = TestData.Compress(kind, data);
        TestData.AssertSameBytes(data, TestData.Decompress(kind, compressed), $"{kind} {content} {size}");
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Async_round_trip_restores_the_data(CompressionKind kind, string content, int size)
    {
        var data = TestData.Make(content, size);
        var compressed = await TestData.CompressAsync(kind, data);
        TestData.AssertSameBytes(data, await TestData.DecompressAsync(kind, compressed), $"{kind} {content} {size}");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Odd_chunk_sizes_round_trip(CompressionKind kind)
    {
        var data = TestData.Compressible(TestData.MiB + 12345);
        var compressed = TestData.Compress(kind, data, chunk: 4099);
        TestData.AssertSameBytes(data, TestData.Decompress(kind, compressed, chunk: 7919), kind.ToString());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task One_byte_at_a_time_round_trips(CompressionKind kind)
    {
        var data = TestData.Compressible(100_000);
        var compressed = TestData.Compress(kind, data, chunk: 1);
        TestData.AssertSameBytes(data, TestData.Decompress(kind, compressed, chunk: 1), $"{kind} sync");
        TestData.AssertSameBytes(data, await TestData.DecompressAsync(kind, await TestData.CompressAsync(kind, data, chunk: 1), chunk: 1), $"{kind} async");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ReadByte_reads_every_byte_then_minus_one(CompressionKind kind)
    {
        var data = TestData.Compressible(3000);
        using var decompressor = Codecs.Decompress(new MemoryStream(TestData.Compress(kind, data)), kind, leaveOpen: false);
        foreach (var expected in data)
        {
            Assert.Equal(expected, decompressor.ReadByte());
        }

        Assert.Equal(-1, decompressor.ReadByte());
        Assert.Equal(-1, decompressor.ReadByte());
    }

    // Not bzip2: its decoder only releases a block once it has seen the next block's header.
    [Theory]
    [InlineData(CompressionKind.Zstd)]
    [InlineData(CompressionKind.Xz)]
    [InlineData(CompressionKind.Brotli)]
    [InlineData(CompressionKind.Gzip)]
    public void Flush_makes_everything_written_so_far_decodable(CompressionKind kind)
    {
        var data = TestData.Compressible(50_000);
        var output = new MemoryStream();
        using var compressor = TestCodecs.Compress(output, kind, null, leaveOpen: true);
        compressor.Write(data);
        compressor.Flush();

        // The frame is still open: read what is there without expecting its end.
        using var decompressor = Codecs.Decompress(new MemoryStream(output.ToArray()), kind, leaveOpen: false);
        var decoded = new byte[data.Length];
        decompressor.ReadExactly(decoded);
        Assert.Equal(data, decoded);
    }

    [Theory]
    [InlineData(CompressionKind.Zstd, 1)]
    [InlineData(CompressionKind.Zstd, 19)]
    [InlineData(CompressionKind.Zstd, -5)]
    [InlineData(CompressionKind.Xz, 0)]
    [InlineData(CompressionKind.Xz, 9)]
    [InlineData(CompressionKind.Bzip2, 1)]
    [InlineData(CompressionKind.Brotli, 0)]
    [InlineData(CompressionKind.Brotli, 11)]
    [InlineData(CompressionKind.Gzip, 1)]
    [InlineData(CompressionKind.Gzip, 9)]
    public void Every_level_in_range_round_trips(CompressionKind kind, int level)
    {
        var data = TestData.Compressible(200_000);
        var compressed = TestData.Compress(kind, data, level: level);
        TestData.AssertSameBytes(data, TestData.Decompress(kind, compressed), $"{kind} level {level}");
    }

    [Theory]
    [InlineData(CompressionKind.Zstd, 23)]
    [InlineData(CompressionKind.Xz, 10)]
    [InlineData(CompressionKind.Xz, -1)]
    [InlineData(CompressionKind.Bzip2, 0)]
    [InlineData(CompressionKind.Brotli, 12)]
    [InlineData(CompressionKind.Gzip, 10)]
    public void Levels_out_of_range_are_rejected_naming_the_range(CompressionKind kind, int level)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => TestCodecs.Compress(new MemoryStream(), kind, level, leaveOpen: false));
        Assert.Contains(CompressionNames.ToNixName(kind), error.Message);
        Assert.Contains("between", error.Message);
    }

    [Theory]
    [InlineData(CompressionKind.Xz)]
    [InlineData(CompressionKind.Bzip2)]
    [InlineData(CompressionKind.Gzip)]
    [InlineData(CompressionKind.Brotli)]
    public void Larder_itself_compresses_only_with_zstd(CompressionKind kind)
    {
        var inner = new MemoryStream();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Codecs.Compress(inner, kind, null, leaveOpen: false));
        Assert.Contains($"{CompressionNames.ToNixName(kind)} is decompressed only", error.Message);
        Assert.True(inner.CanWrite);
    }

    [Fact]
    public void Higher_zstd_levels_compress_better()
    {
        var data = TestData.Compressible(TestData.MiB);
        Assert.True(TestData.Compress(CompressionKind.Zstd, data, level: 19).Length < TestData.Compress(CompressionKind.Zstd, data, level: 1).Length);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void LeaveOpen_decides_whether_the_inner_stream_is_disposed(CompressionKind kind)
    {
        var kept = new MemoryStream();
        TestCodecs.Compress(kept, kind, null, leaveOpen: true).Dispose();
        Assert.True(kept.CanWrite);
        var compressed = kept.ToArray();

        var closed = new MemoryStream();
        TestCodecs.Compress(closed, kind, null, leaveOpen: false).Dispose();
        Assert.False(closed.CanWrite);

        var source = new MemoryStream(compressed);
        Codecs.Decompress(source, kind, leaveOpen: true).Dispose();
        Assert.True(source.CanRead);
        Codecs.Decompress(source, kind, leaveOpen: false).Dispose();
        Assert.False(source.CanRead);
    }

    [Theory]
    [InlineData(CompressionKind.Zstd)]
    [InlineData(CompressionKind.Xz)]
    [InlineData(CompressionKind.Bzip2)]
    [InlineData(CompressionKind.Gzip)]
    public void Writing_after_Finish_is_refused(CompressionKind kind)
    {
        var output = new MemoryStream();
        using var compressor = (CompressingStream)TestCodecs.Compress(output, kind, null, leaveOpen: true);
        compressor.Write([1, 2, 3]);
        compressor.Finish();
        var finished = output.ToArray();
        Assert.Throws<InvalidOperationException>(() => compressor.Write([4]));
        compressor.Dispose();
        Assert.Equal(finished, output.ToArray());
        Assert.Equal([1, 2, 3], TestData.Decompress(kind, finished));
    }

    [Theory]
    [InlineData(CompressionKind.Zstd)]
    [InlineData(CompressionKind.Xz)]
    [InlineData(CompressionKind.Bzip2)]
    [InlineData(CompressionKind.Gzip)]
    public void Streams_count_the_bytes_they_move(CompressionKind kind)
    {
        var data = TestData.Compressible(300_000);
        var output = new MemoryStream();
        var compressor = (CompressingStream)TestCodecs.Compress(output, kind, null, leaveOpen: true);
        compressor.Write(data);
        compressor.Dispose();
        Assert.Equal(data.Length, compressor.BytesIn);
        Assert.Equal(output.Length, compressor.BytesOut);

        var decompressor = (DecompressingStream)Codecs.Decompress(new MemoryStream(output.ToArray()), kind, leaveOpen: false);
        decompressor.CopyTo(Stream.Null);
        Assert.Equal(data.Length, decompressor.BytesDecompressed);
        Assert.Equal(kind, decompressor.Kind);
        decompressor.Dispose();
    }
}
