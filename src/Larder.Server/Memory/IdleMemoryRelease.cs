using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Larder.Server.Memory;

/// <summary>
/// Gives the memory of a burst of large buffers back to the system once the server is idle. Concurrent pack uploads
/// hold a 16 MiB pack each, more than <see cref="Storage.Chunks.ChunkBuffers"/> keeps, and the garbage collector keeps
/// the large-object regions they leave committed until enough later collections age them out, which an idle server
/// never runs: after four pushes of 200 MiB the server stayed ~100 MiB above its size at rest (issue 9). When at least
/// <see cref="Threshold"/> of chunk buffers were allocated since the last release and none was rented for a whole
/// <see cref="Period"/>, it empties the pool and runs one full, compacting collection that decommits what is free.
/// </summary>
internal sealed class IdleMemoryRelease(TimeProvider time, ILogger<IdleMemoryRelease> logger) : BackgroundService
{
    /// <summary>How long the chunk buffers must go unused.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    /// <summary>Chunk buffers allocated since the last release that make a release worth a full collection.</summary>
    public const long Threshold = 64 << 20;

    private long _rentsSeen = -1;
    private long _allocatedAtRelease;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            ReleaseIfIdle(Storage.Chunks.ChunkBuffers.Pool);
        }
    }

    /// <summary>One check (the timer calls it every <see cref="Period"/>); whether it released.</summary>
    public bool ReleaseIfIdle(BoundedBufferPool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        long rents = pool.RentCount;
        long allocated = pool.AllocatedBytes;
        bool idle = rents == _rentsSeen;
        _rentsSeen = rents;
        long sinceRelease = allocated - _allocatedAtRelease;
        if (!idle || sinceRelease < Threshold)
        {
            return false;
        }
        _allocatedAtRelease = allocated;
        pool.Trim();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        logger.LogDebug("Released idle memory after {Bytes} bytes of chunk buffers were allocated", sinceRelease);
        return true;
    }
}
