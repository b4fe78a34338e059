using Larder.Server.BinaryCache;

namespace Larder.Server.Tests.BinaryCache;

public sealed class ByteRangeTests
{
    [Theory]
    [InlineData(null, 100, null, null)]
    [InlineData("", 100, null, null)]
    [InlineData("bytes=0-9", 100, 0L, 9L)]
    [InlineData("bytes=90-", 100, 90L, 99L)]
    [InlineData("bytes=90-500", 100, 90L, 99L)]
    [InlineData("bytes=-10", 100, 90L, 99L)]
    [InlineData("bytes=-500", 100, 0L, 99L)]
    [InlineData("bytes=0-1,5-6", 100, null, null)]
    [InlineData("items=0-9", 100, null, null)]
    [InlineData("garbage", 100, null, null)]
    public void Range_header_resolves_to_the_bytes_it_names(string? header, long total, long? from, long? to)
    {
        Assert.True(ByteRange.TryResolve(header, total, out var range, out var unsatisfiable));

        Assert.False(unsatisfiable);
        Assert.Equal(from is null ? null : new ByteRange(from.Value, to!.Value), range);
    }

    [Theory]
    [InlineData("bytes=100-", 100)]
    [InlineData("bytes=150-200", 100)]
    [InlineData("bytes=-0", 100)]
    [InlineData("bytes=0-", 0)]
    public void Range_outside_the_representation_is_unsatisfiable(string header, long total)
    {
        Assert.False(ByteRange.TryResolve(header, total, out _, out var unsatisfiable));
        Assert.True(unsatisfiable);
    }
}
