using Larder.Nix.Hashing;
using Larder.Nix.Streams;

namespace Larder.Nix.Tests.Streams;

public class HashingStreamTests
{
    internal static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100_000)]
    public async Task Reading_through_hashes_and_counts_everything(int length)
    {
        var data = RandomBytes(length);
        await using var stream = new HashingStream(new MemoryStream(data));
        var sink = new MemoryStream();
        await stream.CopyToAsync(sink, 4096);
        Assert.Equal(data, sink.ToArray());
        Assert.Equal(length, stream.Length);
        Assert.Equal(NixHash.Compute(HashKind.Sha256, data), stream.GetHash());
    }

    [Fact]
    public void Writing_through_hashes_and_counts_everything_synchronously()
    {
        var data = RandomBytes(70_000);
        var sink = new MemoryStream();
        using (var stream = new HashingStream(sink, HashKind.Sha512, leaveOpen: true))
        {
            stream.Write(data, 0, 30_000);
            stream.Write(data.AsSpan(30_000));
            Assert.Equal(data.Length, stream.Length);
            Assert.Equal(NixHash.Compute(HashKind.Sha512, data), stream.GetHash());
        }
        Assert.Equal(data, sink.ToArray());
        Assert.True(sink.CanWrite); // leaveOpen kept the destination usable
    }

    [Fact]
    public async Task Writing_async_hashes_and_disposes_inner_unless_left_open()
    {
        var data = RandomBytes(5000);
        var sink = new MemoryStream();
        var stream = new HashingStream(sink);
        await stream.WriteAsync(data);
        Assert.Equal(NixHash.Compute(HashKind.Sha256, data), stream.GetHash());
        await stream.DisposeAsync();
        Assert.False(sink.CanWrite);
    }

    [Fact]
    public void Seeking_is_not_supported()
    {
        using var stream = new HashingStream(new MemoryStream());
        Assert.False(stream.CanSeek);
        Assert.Throws<NotSupportedException>(() => stream.Seek(0, SeekOrigin.Begin));
    }

    [Fact]
    public async Task Own_hashers_all_see_every_byte_and_stay_usable_after_dispose()
    {
        var data = RandomBytes(50_000);
        using var sha256 = new NixHasher(HashKind.Sha256);
        using var sha512 = new NixHasher(HashKind.Sha512);
        sha512.Append("prefix"u8);
        await using (var stream = new HashingStream(new MemoryStream(data), [sha256, sha512]))
        {
            await stream.CopyToAsync(Stream.Null, 4096);
            Assert.Equal(data.Length, stream.Length);
            Assert.Equal(NixHash.Compute(HashKind.Sha256, data), stream.GetHash());
        }
        Assert.Equal(NixHash.Compute(HashKind.Sha256, data), sha256.GetCurrentHash());
        Assert.Equal(NixHash.Compute(HashKind.Sha512, [.. "prefix"u8, .. data]), sha512.GetCurrentHash());
    }

    [Fact]
    public void No_hashers_is_refused() =>
        Assert.Throws<ArgumentException>(() => new HashingStream(new MemoryStream(), Array.Empty<NixHasher>()));
}
