using Larder.Nix.Compression;
using Larder.Nix.Tests.Compression.Support;

namespace Larder.Nix.Tests.Compression;

/// <summary>Damaged input must fail loudly with a <see cref="CompressionException"/>, never end silently.</summary>
public class BadInputTests
{
    private static readonly CompressionKind[] Kinds =
        [CompressionKind.Zstd, CompressionKind.Xz, CompressionKind.Bzip2, CompressionKind.Gzip, CompressionKind.Brotli];

    public static TheoryData<CompressionKind, string> Damages()
    {
        var data = new TheoryData<CompressionKind, string>();
        foreach (var kind in Kinds)
        {
            foreach (var damage in new[] { "last byte cut", "cut in half", "only the first byte", "byte flipped in the middle", "trailing garbage", "empty", "random bytes" })
            {
                data.Add(kind, damage);
            }
        }

        return data;
    }

    private static byte[] Damage(byte[] good, string damage) => damage switch
    {
        "last byte cut" => good[..^1],
        "cut in half" => good[..(good.Length / 2)],
        "only the first byte" => good[..1],
        "byte flipped in the middle" => Flip(good, good.Length / 2),
        "trailing garbage" => [.. good, .. "garbage!"u8.ToArray()],
        "empty" => [],
        "random bytes" => TestData.Random(1000, seed: 42),
        _ => throw new ArgumentException(damage),
    };

    private static byte[] Flip(byte[] good, int at)
    {
        var bad = (byte[])good.Clone();
        bad[at] ^= 0x55;
        return bad;
    }

    [Theory]
    [MemberData(nameof(Damages))]
    public void Damaged_input_throws_CompressionException(CompressionKind kind, string damage)
    {
        var bad = Damage(TestData.Compress(kind, TestData.Compressible(200_000)), damage);
        var error = Assert.Throws<CompressionException>(() => TestData.Decompress(kind, bad));
        Assert.Equal(kind, error.Codec);
        Assert.StartsWith(CompressionNames.ToNixName(kind) + ": ", error.Message);
        Assert.False(string.IsNullOrWhiteSpace(error.Reason));
    }

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task Damaged_input_throws_CompressionException_when_read_asynchronously(CompressionKind kind, string damage)
    {
        var bad = Damage(TestData.Compress(kind, TestData.Compressible(200_000)), damage);
        var error = await Assert.ThrowsAsync<CompressionException>(() => TestData.DecompressAsync(kind, bad, chunk: 4096));
        Assert.Equal(kind, error.Codec);
    }

    [Theory]
    [InlineData(CompressionKind.Zstd)]
    [InlineData(CompressionKind.Xz)]
    [InlineData(CompressionKind.Bzip2)]
    [InlineData(CompressionKind.Gzip)]
    [InlineData(CompressionKind.Brotli)]
    public void Truncation_is_named_as_such(CompressionKind kind)
    {
        var cut = TestData.Compress(kind, TestData.Random(100_000))[..^1];
        var error = Assert.Throws<CompressionException>(() => TestData.Decompress(kind, cut));
        Assert.Contains("truncated", error.Reason);
    }

    [Theory]
    [InlineData(CompressionKind.Zstd)]
    [InlineData(CompressionKind.Xz)]
    [InlineData(CompressionKind.Bzip2)]
    [InlineData(CompressionKind.Gzip)]
    public void Truncation_inside_a_later_frame_is_detected(CompressionKind kind)
    {
        var first = TestData.Compress(kind, TestData.Compressible(10_000));
        var second = TestData.Compress(kind, TestData.Compressible(10_000, seed: 2));
        var joined = first.Concat(second[..(second.Length - 3)]).ToArray();
        Assert.Throws<CompressionException>(() => TestData.Decompress(kind, joined));
    }

    [Fact]
    public void A_failed_stream_keeps_failing()
    {
        var bad = TestData.Compress(CompressionKind.Zstd, TestData.Compressible(1000))[..^4];
        using var decompressor = Codecs.Decompress(new MemoryStream(bad), CompressionKind.Zstd, leaveOpen: false);
        var buffer = new byte[100_000];
        Assert.Throws<CompressionException>(() => decompressor.ReadExactly(buffer.AsSpan(0, 2000)));
        Assert.Throws<CompressionException>(() => decompressor.Read(buffer));
    }

    [Fact]
    public void Errors_of_the_inner_stream_pass_through_unchanged()
    {
        using var decompressor = Codecs.Decompress(new FailingStream(), CompressionKind.Xz, leaveOpen: false);
        var error = Assert.Throws<IOException>(() => decompressor.Read(new byte[10]));
        Assert.Equal("disk on fire", error.Message);
    }

    private sealed class FailingStream : MemoryStream
    {
        public override int Read(Span<byte> buffer) => throw new IOException("disk on fire");
        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("disk on fire");
    }
}
