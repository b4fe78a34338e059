using Larder.Server.Memory;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Larder.Server.Tests.Memory;

public sealed class IdleMemoryReleaseTests
{
    private readonly BoundedBufferPool _pool = new(maxArrayLength: 16 << 20, maxRetainedBytes: 32 << 20);
    private readonly IdleMemoryRelease _release;

    public IdleMemoryReleaseTests() => _release = new(_pool, TimeProvider.System, NullLogger<IdleMemoryRelease>.Instance);

    [Fact]
    public void A_burst_of_allocations_is_released_after_a_period_without_rents_and_only_once()
    {
        Burst(IdleMemoryRelease.Threshold);

        Assert.False(_release.ReleaseIfIdle());
        Assert.True(_release.ReleaseIfIdle());

        Assert.Equal(0, _pool.RetainedBytes);
        Assert.False(_release.ReleaseIfIdle());
    }

    [Fact]
    public void Nothing_is_released_while_buffers_are_rented()
    {
        Burst(IdleMemoryRelease.Threshold);
        Assert.False(_release.ReleaseIfIdle());

        _pool.Return(_pool.Rent(1 << 20));

        Assert.False(_release.ReleaseIfIdle());
        Assert.NotEqual(0, _pool.RetainedBytes);
    }

    [Fact]
    public void Drops_below_the_threshold_keep_the_pool()
    {
        Burst(IdleMemoryRelease.Threshold / 2);

        Assert.False(_release.ReleaseIfIdle());
        Assert.False(_release.ReleaseIfIdle());

        Assert.NotEqual(0, _pool.RetainedBytes);
    }

    [Fact]
    public void A_burst_is_released_as_soon_as_its_last_buffer_comes_back()
    {
        Burst(IdleMemoryRelease.Threshold);

        Assert.True(_release.ReleaseIfDrained());

        Assert.Equal(0, _pool.RetainedBytes);
        Assert.False(_release.ReleaseIfDrained());
    }

    [Fact]
    public void Nothing_is_released_on_a_drain_while_a_buffer_is_on_loan_again()
    {
        Burst(IdleMemoryRelease.Threshold);
        var again = _pool.Rent(1 << 20);

        Assert.False(_release.ReleaseIfDrained());

        _pool.Return(again);
        Assert.True(_release.ReleaseIfDrained());
    }

    [Fact]
    public void A_drain_below_the_threshold_keeps_the_pool()
    {
        Burst(IdleMemoryRelease.Threshold / 2);

        Assert.False(_release.ReleaseIfDrained());

        Assert.NotEqual(0, _pool.RetainedBytes);
    }

    [Fact]
    public void Refilling_the_pool_after_a_release_causes_no_release()
    {
        Burst(IdleMemoryRelease.Threshold);
        Assert.True(_release.ReleaseIfDrained());

        Burst(0);

        Assert.False(_release.ReleaseIfDrained());
        Assert.Equal(32 << 20, _pool.RetainedBytes);
    }

    [Fact]
    public async Task The_running_service_releases_when_the_last_buffer_of_a_burst_comes_back()
    {
        // Time stands still, so the timer never ticks: only the drain can release.
        var service = new IdleMemoryRelease(_pool, new FakeTimeProvider(), NullLogger<IdleMemoryRelease>.Instance);
        await service.StartAsync(CancellationToken.None);
        try
        {
            Burst(IdleMemoryRelease.Threshold);

            // The release runs on the thread pool.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (_pool.RetainedBytes != 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }
            Assert.Equal(0, _pool.RetainedBytes);
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Rents 16 MiB buffers at once, two more than the pool keeps, then returns them all: <paramref name="bytes"/> (rounded down to 16 MiB) dropped.</summary>
    private void Burst(long bytes)
    {
        var rented = Enumerable.Range(0, (int)(bytes / (16 << 20)) + 2).Select(_ => _pool.Rent(16 << 20)).ToList();
        rented.ForEach(array => _pool.Return(array));
    }
}
