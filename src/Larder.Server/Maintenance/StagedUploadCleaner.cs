using Larder.Server.Configuration;
using Larder.Server.Metadata;
using Larder.Server.Storage;
using Larder.Server.Storage.Folder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Larder.Server.Maintenance;

/// <summary>
/// Deletes uploads whose narinfo never came (staged longer than <see cref="MaintenanceOptions.StagedUploadTtl"/>) and
/// blobs under <c>chunks/</c> and <c>listings/</c> that no metadata refers to and that are older than the same TTL (so
/// a blob being uploaded right now, not yet recorded, is left alone), and a folder store's stale temp files.
/// </summary>
public sealed partial class StagedUploadCleaner(
    IMetadataStore store, IBlobStore blobs, IOptions<LarderOptions> options, TimeProvider time, ILogger<StagedUploadCleaner> logger)
{
    /// <summary>Blob key prefixes that only NARs and staged uploads use.</summary>
    public static readonly IReadOnlyList<string> OrphanPrefixes = ["chunks/", "listings/"];

    /// <summary>Runs one pass; returns what it removed.</summary>
    public async Task<CleanupResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.Value.Maintenance.StagedUploadTtl;
        var staged = await store.ListStagedNarsOlderThanAsync(cutoff, cancellationToken).ConfigureAwait(false);
        var blobsDeleted = 0;
        foreach (var upload in staged)
        {
            await store.DeleteStagedNarAsync(upload.Id, cancellationToken).ConfigureAwait(false);
            var keys = upload.Chunks.Select(c => c.StorageKey);
            if (upload.ListingKey is { } listing)
            {
                keys = keys.Append(listing);
            }
            foreach (var key in keys.Distinct(StringComparer.Ordinal))
            {
                if (await DeleteIfUnreferencedAsync(key, cancellationToken).ConfigureAwait(false))
                {
                    blobsDeleted++;
                }
            }
        }
        var orphans = 0;
        foreach (var prefix in OrphanPrefixes)
        {
            await foreach (var blob in blobs.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
            {
                if (blob.LastModified < cutoff && await DeleteIfUnreferencedAsync(blob.Key, cancellationToken).ConfigureAwait(false))
                {
                    orphans++;
                }
            }
        }
        if (blobs is FolderBlobStore folder)
        {
            // Temp files of puts interrupted by a crash; a live put is far younger than the TTL.
            orphans += await folder.RemoveInterruptedWritesAsync(options.Value.Maintenance.StagedUploadTtl, cancellationToken).ConfigureAwait(false);
        }
        if (staged.Count > 0 || orphans > 0)
        {
            LogCleaned(logger, staged.Count, blobsDeleted, orphans);
        }
        return new CleanupResult(staged.Count, blobsDeleted, orphans);
    }

    private async Task<bool> DeleteIfUnreferencedAsync(string key, CancellationToken cancellationToken)
    {
        if (await store.IsStorageKeyReferencedAsync(key, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }
        await blobs.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "maintenance: removed {Staged} expired staged uploads ({Blobs} blobs) and {Orphans} orphan blobs")]
    private static partial void LogCleaned(ILogger logger, int staged, int blobs, int orphans);
}

/// <summary>What one <see cref="StagedUploadCleaner"/> pass removed.</summary>
public sealed record CleanupResult(int StagedUploads, int StagedBlobs, int OrphanBlobs);
