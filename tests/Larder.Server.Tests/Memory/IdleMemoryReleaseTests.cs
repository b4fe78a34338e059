using Larder.Server.Memory;
using Microsoft.Extensions.Logging.Abstractions;

namespace Larder.Server.Tests.Memory;

public sealed class IdleMemoryReleaseTests
{
    private readonly BoundedBufferPool _pool = new(maxArrayLength: 16 << 20, maxRetainedBytes: 32 << 20);
    private readonly IdleMemoryRelease _release = new(TimeProvider.System, NullLogger<IdleMemoryRelease>.Instance);

    [Fact]
    public void A_burst_of_allocations_is_released_after_a_period_without_rents_and_only_once()
    {
        Burst(IdleMemoryRelease.Threshold);

        Assert.False(_release.ReleaseIfIdle(_pool));
        Assert.True(_release.ReleaseIfIdle(_pool));

        Assert.Equal(0, _pool.RetainedBytes);
        Assert.False(_release.ReleaseIfIdle(_pool));
    }

    [Fact]
    public void Nothing_is_released_while_buffers_are_rented()
    {
        Burst(IdleMemoryRelease.Threshold);
        Assert.False(_release.ReleaseIfIdle(_pool));

        _pool.Return(_pool.Rent(1 << 20));

        Assert.False(_release.ReleaseIfIdle(_pool));
        Assert.NotEqual(0, _pool.RetainedBytes);
    }

    [Fact]
    public void Allocations_below_the_threshold_keep_the_pool()
    {
        Burst(IdleMemoryRelease.Threshold / 2);

        Assert.False(_release.ReleaseIfIdle(_pool));
        Assert.False(_release.ReleaseIfIdle(_pool));

        Assert.NotEqual(0, _pool.RetainedBytes);
    }

    /// <summary>Rents 16 MiB buffers at once until <paramref name="bytes"/> were allocated, then returns them all.</summary>
    private void Burst(long bytes)
    {
        var rented = new List<byte[]>();
        while (_pool.AllocatedBytes < bytes)
        {
            rented.Add(_pool.Rent(16 << 20));
        }
        rented.ForEach(array => _pool.Return(array));
    }
}
