using Larder.Server.Configuration;
using Larder.Server.Metadata;
using Larder.Server.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Larder.Server.Maintenance.Reaping;

/// <summary>
/// Frees storage that nothing holds any more, driven by the metadata alone (no bucket listing). One pass removes what
/// interrupted blob writes left behind (on every replica), then, run by one replica at a time (a lease in the database
/// that another replica takes over when it expires): expires staged uploads older than
/// <see cref="MaintenanceOptions.StagedUploadTtl"/> and resumable uploads untouched for
/// <see cref="Api.Push.UploadSessionStore.Lifetime"/> (queueing their parts), deletes NARs and then chunks that have had no
/// holder for <see cref="MaintenanceOptions.ReleaseGrace"/> (queueing their blobs), and deletes the queued blobs that are
/// due. Each step works in bounded batches of indexed queries, so its cost follows the work, and each batch is one
/// transaction: a pass cut short anywhere leaves a state the next pass finishes.
/// </summary>
public sealed partial class Reaper(IMetadataStore store, IBlobStore blobs, IOptions<LarderOptions> options, TimeProvider time, ILogger<Reaper> logger)
{
    /// <summary>The lease's name in the database.</summary>
    public const string LeaseName = "reaper";

    private const int BatchSize = 500;

    private readonly string _holder = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Runs one pass; returns what it removed, or <see cref="ReapResult.NotLeader"/> when another replica holds the lease.</summary>
    public async Task<ReapResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        var maintenance = options.Value.Maintenance;
        // Without the lease and before any step that may fail: these leftovers are known by their age alone (removing one
        // twice is harmless), and a replica SIGKILLed in the middle of a pass holds the lease for
        // Larder:Maintenance:LeaseDuration more, which kept them for minutes after each restart of the crash runs.
        var temporary = await blobs.RemoveInterruptedWritesAsync(maintenance.StagedUploadTtl, cancellationToken).ConfigureAwait(false);
        if (!await RenewLeaseAsync(cancellationToken).ConfigureAwait(false))
        {
            return ReapResult.NotLeader with { TemporaryFiles = temporary };
        }
        var now = time.GetUtcNow();
        var staged = await RepeatAsync(limit => store.ExpireStagedNarsAsync(now - maintenance.StagedUploadTtl, limit, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
        var sessions = await RepeatAsync(
            limit => store.ExpireUploadSessionsAsync(now - Api.Push.UploadSessionStore.Lifetime, now, limit, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
        var nars = await RepeatAsync(limit => store.ReapNarsAsync(now - maintenance.ReleaseGrace, now, limit, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
        var chunks = await RepeatAsync(limit => store.ReapChunksAsync(now - maintenance.ReleaseGrace, now, limit, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
        var failedBlobs = 0;
        var listedBlobs = await RepeatAsync(
            async limit =>
            {
                var (listed, failed) = await DeleteDueBlobsAsync(now, limit, cancellationToken).ConfigureAwait(false);
                failedBlobs += failed;
                return listed;
            },
            cancellationToken).ConfigureAwait(false);
        var deleted = listedBlobs - failedBlobs;
        await store.ReleaseLeaseAsync(LeaseName, _holder, cancellationToken).ConfigureAwait(false);
        var result = new ReapResult(true, staged, nars, chunks, deleted, temporary, sessions);
        if (result.Removed)
        {
            LogReaped(logger, staged, nars, chunks, deleted, temporary, sessions);
        }
        return result;
    }

    /// <summary>
    /// Blobs are deleted before their queue rows: a pass cut short in between deletes them again next time. A key whose
    /// delete fails keeps its row, postponed past this pass so it neither blocks the keys behind it nor repeats here;
    /// returns how many keys were listed and how many of them failed.
    /// </summary>
    private async Task<(int Listed, int Failed)> DeleteDueBlobsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        var keys = await store.ListDueBlobDeletionsAsync(now, limit, cancellationToken).ConfigureAwait(false);
        var deleted = new List<string>(keys.Count);
        var failed = new List<string>();
        foreach (var key in keys)
        {
            try
            {
                await blobs.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
                deleted.Add(key);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogDeleteFailed(logger, key, e);
                failed.Add(key);
            }
        }
        await store.CompleteBlobDeletionsAsync(deleted, now, cancellationToken).ConfigureAwait(false);
        await store.PostponeBlobDeletionsAsync(failed, now, now + TimeSpan.FromTicks(1), cancellationToken).ConfigureAwait(false);
        return (keys.Count, failed.Count);
    }

    /// <summary>Runs <paramref name="batch"/> until it handles fewer than a full batch, renewing the lease before each; the total handled.</summary>
    private async Task<int> RepeatAsync(Func<int, Task<int>> batch, CancellationToken cancellationToken)
    {
        var total = 0;
        int handled;
        do
        {
            if (total > 0 && !await RenewLeaseAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException("maintenance lost its lease to another replica in the middle of a pass");
            }
            handled = await batch(BatchSize).ConfigureAwait(false);
            total += handled;
        }
        while (handled == BatchSize);
        return total;
    }

    private Task<bool> RenewLeaseAsync(CancellationToken cancellationToken) =>
        store.TryTakeLeaseAsync(LeaseName, _holder, time.GetUtcNow(), options.Value.Maintenance.LeaseDuration, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "maintenance: removed {Staged} expired staged uploads, {Nars} NARs and {Chunks} chunks without holders, {Blobs} blobs, {Temporary} temp files and {Sessions} abandoned resumable uploads")]
    private static partial void LogReaped(ILogger logger, int staged, int nars, int chunks, int blobs, int temporary, int sessions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "maintenance: could not delete blob {Key}; it stays queued for the next pass")]
    private static partial void LogDeleteFailed(ILogger logger, string key, Exception exception);
}
