using Larder.Server.BinaryCache.Serving;
using Larder.Server.Configuration;
using Larder.Server.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Larder.Server.Maintenance.Gc;

/// <summary>
/// Applies retention policies (see <see cref="RetentionPolicy"/>), one replica at a time under the lease
/// <see cref="LeaseName"/>. A collection of a cache first evicts, in least-recently-used order, the paths not accessed
/// within the age limit, then, while the cache's stored bytes exceed the size limit, the least recently used paths.
/// Every eviction takes a path together with every path that references it (its group), and only when no path of the
/// group is a root and none was accessed later than the rule allows; a group blocked by a later access is retried when
/// the walk reaches that access time, so one pass evicts whole closures in LRU order. The walk reads the cache in
/// indexed pages and evicts in transactions of a few groups, so a 1,000,000-path cache is never locked for long. Blobs
/// are left to the reaper, which deletes a NAR only when no path of any cache holds it.
/// </summary>
public sealed partial class GarbageCollector(
    IMetadataStore store,
    ServingChanges changes,
    IOptions<LarderOptions> options,
    TimeProvider time,
    ILogger<GarbageCollector> logger,
    Metrics.LarderMetrics? metrics = null)
{
    /// <summary>The lease's name in the database.</summary>
    public const string LeaseName = "gc";

    /// <summary>How many evicted paths a result lists.</summary>
    public const int ListLimit = 1000;

    /// <summary>The largest group (a path and its dependents) a collection evicts; a larger one stays.</summary>
    public const int MaxGroup = 10_000;

    /// <summary>How long a lease lasts without renewal (it is renewed after every transaction).</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromMinutes(5);

    private const int PageSize = 500;
    private const int SeedsPerTransaction = 50;

    private readonly string _holder = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
    private readonly SemaphoreSlim _running = new(1, 1);

    /// <summary>The policy that applies to <paramref name="cache"/>.</summary>
    public async Task<RetentionPolicy> PolicyForAsync(CacheRecord cache, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cache);
        var settings = await store.GetRetentionAsync(cache.Id, cancellationToken).ConfigureAwait(false);
        return RetentionPolicy.For(settings, options.Value.Retention);
    }

    /// <summary>
    /// Collects one cache now. A dry run deletes nothing and needs no lease; otherwise null when a collection is already
    /// running (here or on another replica).
    /// </summary>
    public async Task<GcRunResult?> RunCacheAsync(CacheRecord cache, bool dryRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cache);
        var policy = await PolicyForAsync(cache, cancellationToken).ConfigureAwait(false);
        if (dryRun)
        {
            return await CollectAsync(cache, policy, dryRun: true, cancellationToken).ConfigureAwait(false);
        }
        GcRunResult? result = null;
        await UnderLeaseAsync(async ct => result = await CollectAsync(cache, policy, dryRun: false, ct).ConfigureAwait(false), cancellationToken)
            .ConfigureAwait(false);
        return result;
    }

    /// <summary>Collects every cache that has a policy; false when another collection holds the lease.</summary>
    public Task<bool> RunAllAsync(CancellationToken cancellationToken) =>
        UnderLeaseAsync(async ct =>
        {
            foreach (var cache in await store.ListCachesAsync(ct).ConfigureAwait(false))
            {
                var policy = await PolicyForAsync(cache, ct).ConfigureAwait(false);
                if (!policy.HasLimits)
                {
                    continue;
                }
                var result = await CollectAsync(cache, policy, dryRun: false, ct).ConfigureAwait(false);
                if (result.PathsEvicted > 0)
                {
                    LogCollected(logger, cache.Name, result.PathsEvicted, result.BytesFreed);
                }
            }
        }, cancellationToken);

    /// <summary>Runs <paramref name="work"/> holding the lease (and this replica's run lock); false when either is taken.</summary>
    private async Task<bool> UnderLeaseAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        if (!await _running.WaitAsync(0, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }
        try
        {
            if (!await RenewLeaseAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
            try
            {
                await work(cancellationToken).ConfigureAwait(false);
                return true;
            }
            finally
            {
                await store.ReleaseLeaseAsync(LeaseName, _holder, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            _running.Release();
        }
    }

    private async Task<GcRunResult> CollectAsync(CacheRecord cache, RetentionPolicy policy, bool dryRun, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // Pin revisions whose keep-days ran out stop protecting their closures before the walk (a dry run too: it shows what a run would do).
        await store.ReleaseLapsedPinRevisionsAsync(cache.Id, now, cancellationToken).ConfigureAwait(false);
        var before = (await store.GetCacheStatsAsync(cache.Id, cancellationToken).ConfigureAwait(false)).StoredBytes;
        var run = new Run(this, store, cache.Id, now, now - policy.RecentPushProtection, dryRun);
        if (policy.Days is { } days)
        {
            await run.EvictByAgeAsync(now - TimeSpan.FromDays(days), policy.AgeReason, cancellationToken).ConfigureAwait(false);
        }
        if (policy.MaxSizeBytes is { } maxSize && before - run.BytesFreed > maxSize)
        {
            await run.EvictBySizeAsync(before - run.BytesFreed - maxSize, cancellationToken).ConfigureAwait(false);
        }
        var result = new GcRunResult(dryRun, run.PathsEvicted, run.BytesFreed, before, run.Listed);
        metrics?.RecordGc(result);
        return result;
    }

    private Task<bool> RenewLeaseAsync(CancellationToken cancellationToken) =>
        store.TryTakeLeaseAsync(LeaseName, _holder, time.GetUtcNow(), LeaseDuration, cancellationToken);

    /// <summary>Evicted paths stop being served at once here, and on other replicas as soon as they hear of it.</summary>
    private Task ForgetEvictedAsync(long cacheId, IReadOnlyList<RetainedPath> evicted, CancellationToken cancellationToken) =>
        evicted.Count == 0 ? Task.CompletedTask : changes.PathsChangedAsync(cacheId, [.. evicted.Select(p => p.HashPart)], cancellationToken);

    /// <summary>One collection of one cache: the walk's state and tallies.</summary>
    private sealed class Run(GarbageCollector owner, IMetadataStore store, long cacheId, DateTimeOffset now, DateTimeOffset pushedBefore, bool dryRun)
    {
        private readonly HashSet<string> _evicted = new(StringComparer.Ordinal);
        private readonly List<(RetainedPath Path, string Reason)> _listed = [];

        public long PathsEvicted { get; private set; }

        public long BytesFreed { get; private set; }

        public IReadOnlyList<(RetainedPath Path, string Reason)> Listed => _listed;

        /// <summary>Evicts groups whose every path was last accessed before <paramref name="cutoff"/>.</summary>
        public async Task EvictByAgeAsync(DateTimeOffset cutoff, string reason, CancellationToken ct)
        {
            var accessedBy = cutoff - TimeSpan.FromMilliseconds(1);
            LruCursor? cursor = null;
            while (true)
            {
                var page = await store.ListLeastRecentlyUsedAsync(cacheId, cursor, cutoff, PageSize, ct).ConfigureAwait(false);
                if (page.Count == 0)
                {
                    return;
                }
                cursor = page[^1];
                foreach (var chunk in page.Chunk(SeedsPerTransaction))
                {
                    await EvictAsync([.. chunk.Select(p => new EvictionSeed(p.HashPart, accessedBy))], reason, long.MaxValue, ct).ConfigureAwait(false);
                }
            }
        }

        /// <summary>
        /// Evicts least recently used groups until <paramref name="toFree"/> bytes are freed. A seed whose group holds a
        /// path accessed later waits until the walk reaches the group's latest access, so groups leave in the order of
        /// their latest access.
        /// </summary>
        public async Task EvictBySizeAsync(long toFree, CancellationToken ct)
        {
            var target = BytesFreed + toFree;
            var waiting = new PriorityQueue<EvictionSeed, (DateTimeOffset, string)>();
            LruCursor? cursor = null;
            while (BytesFreed < target)
            {
                var page = await store.ListLeastRecentlyUsedAsync(cacheId, cursor, null, PageSize, ct).ConfigureAwait(false);
                if (page.Count == 0)
                {
                    break;
                }
                cursor = page[^1];
                foreach (var chunk in page.Chunk(SeedsPerTransaction))
                {
                    if (BytesFreed < target)
                    {
                        var seeds = chunk.Select(p => new EvictionSeed(p.HashPart, p.LastAccessedAt)).ToList();
                        await EvictInOrderAsync(seeds, waiting, chunk[^1].LastAccessedAt, target, ct).ConfigureAwait(false);
                    }
                }
            }
            // The walk is over; what waits for an access after the collection started stays.
            while (BytesFreed < target && waiting.TryPeek(out _, out var due) && due.Item1 <= now)
            {
                await EvictInOrderAsync([], waiting, now, target, ct).ConfigureAwait(false);
            }
        }

        /// <summary>Evicts <paramref name="seeds"/> merged with the waiting seeds due by <paramref name="upTo"/>, in access order; queues what is deferred.</summary>
        private async Task EvictInOrderAsync(
            List<EvictionSeed> seeds, PriorityQueue<EvictionSeed, (DateTimeOffset, string)> waiting, DateTimeOffset upTo, long target, CancellationToken ct)
        {
            while (waiting.TryPeek(out _, out var due) && due.Item1 <= upTo)
            {
                seeds.Add(waiting.Dequeue());
            }
            var ordered = seeds.OrderBy(s => s.AccessedBy).ThenBy(s => s.HashPart, StringComparer.Ordinal).ToList();
            foreach (var retry in await EvictAsync(ordered, RetentionPolicy.SizeReason, target - BytesFreed, ct).ConfigureAwait(false))
            {
                waiting.Enqueue(retry, (retry.AccessedBy, retry.HashPart));
            }
        }

        /// <summary>Evicts the seeds' groups in one transaction, up to <paramref name="toFree"/> bytes; returns the deferred seeds.</summary>
        private async Task<IReadOnlyList<EvictionSeed>> EvictAsync(IReadOnlyList<EvictionSeed> seeds, string reason, long toFree, CancellationToken ct)
        {
            var result = await store.EvictAsync(
                new EvictionRequest(cacheId, seeds, pushedBefore, reason, toFree, MaxGroup, dryRun, _evicted, now), ct).ConfigureAwait(false);
            foreach (var path in result.Evicted)
            {
                PathsEvicted++;
                BytesFreed += path.StoredBytes;
                if (dryRun)
                {
                    _evicted.Add(path.HashPart);
                }
                if (_listed.Count < ListLimit)
                {
                    _listed.Add((path, reason));
                }
            }
            if (dryRun)
            {
                return result.Deferred;
            }
            await owner.ForgetEvictedAsync(cacheId, result.Evicted, ct).ConfigureAwait(false);
            if (!await owner.RenewLeaseAsync(ct).ConfigureAwait(false))
            {
                throw new InvalidOperationException("garbage collection lost its lease to another replica in the middle of a run");
            }
            return result.Deferred;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "garbage collection: evicted {Paths} paths ({Bytes} stored bytes) from cache {Cache}")]
    private static partial void LogCollected(ILogger logger, string cache, long paths, long bytes);
}
