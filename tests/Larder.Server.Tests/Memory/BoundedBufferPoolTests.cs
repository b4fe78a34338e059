using System.Runtime.CompilerServices;
using Larder.Server.Memory;

namespace Larder.Server.Tests.Memory;

public sealed class BoundedBufferPoolTests
{
    [Fact]
    public void Returned_arrays_are_kept_only_up_to_the_byte_bound()
    {
        var pool = new BoundedBufferPool(maxArrayLength: 1 << 20, maxRetainedBytes: 3 << 20);
        var rented = Enumerable.Range(0, 8).Select(_ => pool.Rent(1 << 20)).Concat(Enumerable.Range(0, 8).Select(_ => pool.Rent(300_000))).ToList();

        rented.ForEach(array => pool.Return(array));

        Assert.Equal(3 << 20, pool.RetainedBytes);
        Assert.Equal((5L << 20) + (8L << 19), pool.DroppedBytes);
        var again = Enumerable.Range(0, 16).Select(_ => pool.Rent(1 << 20)).ToList();
        Assert.Equal(3, again.Count(array => rented.Contains(array)));
        Assert.Equal(0, pool.RetainedBytes);
    }

    [Fact]
    public void A_rent_is_served_by_a_kept_array_of_its_power_of_two_size()
    {
        var pool = new BoundedBufferPool(maxArrayLength: 1 << 20, maxRetainedBytes: 1 << 20);
        var first = pool.Rent(300_000);
        Assert.Equal(1 << 19, first.Length);
        pool.Return(first);

        Assert.Same(first, pool.Rent(262_145));
        Assert.NotSame(first, pool.Rent(262_145));
    }

    [Fact]
    public void Arrays_longer_than_the_largest_pooled_are_never_kept()
    {
        var pool = new BoundedBufferPool(maxArrayLength: 1 << 16, maxRetainedBytes: 1 << 20);
        var large = pool.Rent((1 << 16) + 1);
        Assert.Equal((1 << 16) + 1, large.Length);

        pool.Return(large);

        Assert.Equal(0, pool.RetainedBytes);
        Assert.Equal(large.Length, pool.DroppedBytes);
    }

    [Fact]
    public void An_array_the_pool_cannot_have_rented_is_refused()
    {
        var pool = new BoundedBufferPool(maxArrayLength: 1 << 16, maxRetainedBytes: 1 << 20);

        var e = Assert.Throws<ArgumentException>(() => pool.Return(new byte[1000]));

        Assert.Contains("1000 bytes", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, pool.RetainedBytes);
    }

    [Fact]
    public void Drained_is_raised_when_the_last_array_on_loan_comes_back()
    {
        var (pool, drains) = PoolCountingDrains();
        var pooled = pool.Rent(1000);
        var large = pool.Rent((1 << 16) + 1);
        Assert.Equal(2, pool.OnLoan);

        pool.Return(large);
        Assert.Equal(0, drains.Value);
        pool.Return(pooled);

        Assert.Equal(1, drains.Value);
        Assert.Equal(0, pool.OnLoan);
    }

    [Fact]
    public void A_refused_array_does_not_count_as_returned()
    {
        var (pool, drains) = PoolCountingDrains();
        var rented = pool.Rent(1000);

        Assert.Throws<ArgumentException>(() => pool.Return(new byte[1000]));

        Assert.Equal(1, pool.OnLoan);
        pool.Return(rented);
        Assert.Equal(1, drains.Value);
    }

    /// <summary>A pool of arrays up to 64 KiB and a count of its <see cref="BoundedBufferPool.Drained"/> events.</summary>
    private static (BoundedBufferPool Pool, StrongBox<int> Drains) PoolCountingDrains()
    {
        var pool = new BoundedBufferPool(maxArrayLength: 1 << 16, maxRetainedBytes: 1 << 20);
        var drains = new StrongBox<int>();
        pool.Drained += () => drains.Value++;
        return (pool, drains);
    }
}
