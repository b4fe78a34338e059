using Larder.Nix.Hashing;
using Larder.Nix.Streams;

namespace Larder.Nix.Tests.Streams;

public class OffThreadHashingStreamTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3_000_000)]
    public async Task Reading_through_passes_every_byte_and_hashes_all_of_them(int length)
    {
        var data = HashingStreamTests.RandomBytes(length);
        await using var stream = new OffThreadHashingStream(new MemoryStream(data), HashKind.Sha256);
        var sink = new MemoryStream();
        // Small reads: many more blocks than the queue holds, so the reader waits for the hashing task.
        await stream.CopyToAsync(sink, 4096);

        var (hash, hashed) = await stream.GetHashAsync();

        Assert.Equal(data, sink.ToArray());
        Assert.Equal((NixHash.Compute(HashKind.Sha256, data), (long)length), (hash, hashed));
    }

    [Fact]
    public async Task Synchronous_reads_are_hashed_too()
    {
        var data = HashingStreamTests.RandomBytes(200_000);
        using var stream = new OffThreadHashingStream(new MemoryStream(data), HashKind.Sha512);
        var buffer = new byte[7000];
        while (stream.Read(buffer, 0, buffer.Length) > 0)
        {
        }

        Assert.Equal(NixHash.Compute(HashKind.Sha512, data), (await stream.GetHashAsync()).Hash);
    }

    [Fact]
    public async Task Disposing_before_the_end_stops_the_hashing_task()
    {
        var stream = new OffThreadHashingStream(new MemoryStream(HashingStreamTests.RandomBytes(100_000)));
        var buffer = new byte[1000];
        Assert.Equal(1000, await stream.ReadAsync(buffer));

        await stream.DisposeAsync();

        // The queue is closed: the hash of what was read comes back rather than waiting forever.
        Assert.Equal(1000, (await stream.GetHashAsync()).Length);
    }
}
