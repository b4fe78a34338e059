using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Larder.Server.Memory;

/// <summary>
/// Gives the memory of a burst of large buffers back to the system as soon as no chunk buffer is in use. Concurrent
/// pack uploads hold a 16 MiB pack each, more than <see cref="Storage.Chunks.ChunkBuffers"/> keeps, and the garbage
/// collector keeps the large-object regions they leave committed until enough later collections age them out, which an
/// idle server never runs: after four pushes of 200 MiB the server stayed ~100 MiB above its size at rest (issue 9).
/// When the pool let go of at least <see cref="Threshold"/> of chunk buffers since the last release (garbage: refilling
/// the pool after a release is not), it empties the pool, runs one full, compacting collection that decommits what is
/// free and gives the native heap's free pages back (<see cref="NativeHeap.Trim"/>): when the last buffer on loan comes
/// back (<see cref="BoundedBufferPool.Drained"/>: the end of the last upload, so an ingest that follows pushes within
/// seconds does not start with their dead buffers), and, should a buffer never come back, once none was rented for a
/// whole <see cref="Period"/>.
/// </summary>
/// <param name="pool">The server's is <see cref="Storage.Chunks.ChunkBuffers.Pool"/>.</param>
internal sealed class IdleMemoryRelease(BoundedBufferPool pool, TimeProvider time, ILogger<IdleMemoryRelease> logger) : BackgroundService
{
    /// <summary>How long the chunk buffers must go unrented for a release while some are still on loan.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Chunk buffers dropped since the last release that make a release worth a full collection: one pack. Uploads one
    /// after another reuse the pool's buffers and drop none, so they cause no collection.
    /// </summary>
    public const long Threshold = 16 << 20;

    private readonly Lock _lock = new();
    private long _rentsSeen = -1;
    private long _droppedAtRelease;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        pool.Drained += OnDrained;
        return base.StartAsync(cancellationToken);
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        pool.Drained -= OnDrained;
        return base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            ReleaseIfIdle();
        }
    }

    // The last buffer came back inside a request: the collection runs on a thread-pool thread, not in the request.
    private void OnDrained() => ThreadPool.UnsafeQueueUserWorkItem(static self => self.ReleaseIfDrained(), this, preferLocal: false);

    /// <summary>Releases if no chunk buffer is on loan (a new upload may have begun since the drain); whether it released.</summary>
    public bool ReleaseIfDrained()
    {
        lock (_lock)
        {
            return pool.OnLoan == 0 && Release();
        }
    }

    /// <summary>One check of the timer (every <see cref="Period"/>): releases if nothing was rented since the last; whether it released.</summary>
    public bool ReleaseIfIdle()
    {
        lock (_lock)
        {
            long rents = pool.RentCount;
            bool idle = rents == _rentsSeen;
            _rentsSeen = rents;
            return idle && Release();
        }
    }

    private bool Release()
    {
        long dropped = pool.DroppedBytes;
        long sinceRelease = dropped - _droppedAtRelease;
        if (sinceRelease < Threshold)
        {
            return false;
        }
        _droppedAtRelease = dropped;
        pool.Trim();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        NativeHeap.Trim();
        logger.LogDebug("Released idle memory after {Bytes} bytes of chunk buffers were dropped", sinceRelease);
        return true;
    }
}
