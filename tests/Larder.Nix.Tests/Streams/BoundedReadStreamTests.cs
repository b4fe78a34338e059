using Larder.Nix.Streams;
using Larder.Nix.Tests.Compression.Support;

namespace Larder.Nix.Tests.Streams;

public class BoundedReadStreamTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(10, 10)]
    [InlineData(100, 10)]
    [InlineData(TestData.MiB, TestData.MiB)]
    public void Data_within_the_limit_reads_fully(int limit, int size)
    {
        var data = TestData.Random(size);
        using var limited = new BoundedReadStream(new MemoryStream(data), limit, "the data");
        var output = new MemoryStream();
        limited.CopyTo(output);
        Assert.Equal(data, output.ToArray());
        Assert.Equal(size, limited.BytesRead);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(10, 11)]
    [InlineData(TestData.MiB - 1, TestData.MiB)]
    public async Task One_byte_over_the_limit_throws(int limit, int size)
    {
        using var limited = new BoundedReadStream(new MemoryStream(TestData.Random(size)), limit, "the body");
        var error = await Assert.ThrowsAsync<LengthLimitExceededException>(() => limited.CopyToAsync(Stream.Null));
        Assert.Equal(limit, error.Limit);
        Assert.Equal($"the body is larger than the limit of {limit} bytes", error.Message);
    }

    [Fact]
    public void A_huge_limit_does_not_overflow()
    {
        using var limited = new BoundedReadStream(new MemoryStream([1, 2, 3]), long.MaxValue, "the data");
        Assert.Equal(3, limited.Read(new byte[10]));
    }

    [Fact]
    public void Negative_limits_are_rejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new BoundedReadStream(new MemoryStream(), -1, "the data"));

    [Fact]
    public void It_asks_the_inner_stream_for_at_most_one_byte_past_the_limit()
    {
        var inner = new MemoryStream(TestData.Random(100));
        using var limited = new BoundedReadStream(inner, 10, "the data", leaveOpen: true);

        Assert.Equal(4, limited.Read(new byte[4]));
        Assert.Throws<LengthLimitExceededException>(() => limited.Read(new byte[64]));
        Assert.Equal(11, inner.Position);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Disposing_disposes_the_inner_stream_unless_left_open(bool leaveOpen)
    {
        var inner = new MemoryStream([1]);
        await new BoundedReadStream(inner, 1, "the data", leaveOpen).DisposeAsync();
        Assert.Equal(leaveOpen, inner.CanRead);
    }
}
