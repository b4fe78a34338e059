using Larder.Nix.Chunking;
using Larder.Nix.Hashing;
using Larder.Server.Configuration;
using Larder.Server.BinaryCache;
using Larder.Server.Ingest;
using Larder.Server.Metadata;
using Microsoft.Extensions.Options;

namespace Larder.Server.Storage.Chunks;

/// <summary>
/// Chunks stored once across all caches, keyed by the SHA-256 of their uncompressed bytes. A chunk is written as: its
/// fresh blob key recorded as an intent (due after <see cref="MaintenanceOptions.StagedUploadTtl"/>), the compressed
/// bytes put in the blob store straight from memory, then the chunk's row registered without a holder, claiming the intent, in one
/// transaction. From then on it is found by hash (by <c>chunks/missing</c>, by ingests of NARs sharing it), before any
/// NAR names it. A chunk without a holder, found or registered, gets a release time that keeps it from the reaper for
/// <see cref="MaintenanceOptions.StagedUploadTtl"/> from now: as long as an upload that uses it may take.
/// </summary>
public sealed class ChunkStore(IBlobStore blobs, IMetadataStore metadata, IOptions<LarderOptions> options, TimeProvider time)
{
    /// <summary>The same store; chunks no longer pass through <paramref name="staging"/> (they are written from memory).</summary>
    public ChunkStore(IBlobStore blobs, IMetadataStore metadata, StagingArea staging, IOptions<LarderOptions> options, TimeProvider time)
        : this(blobs, metadata, options, time)
    {
        ArgumentNullException.ThrowIfNull(staging);
    }

    /// <summary>The chunk sizes this server cuts NARs with.</summary>
    public ChunkingOptions Chunking { get; } = options.Value.Chunking.ToChunkingOptions();

    /// <summary>Of <paramref name="hashes"/>, the chunks stored, by hash, each kept from the reaper for an upload's lifetime.</summary>
    public async Task<IReadOnlyDictionary<string, ChunkRecord>> FindAsync(IReadOnlyCollection<string> hashes, CancellationToken cancellationToken)
    {
        var found = await metadata.FindChunksAsync(hashes, PendingReleaseTime(), cancellationToken).ConfigureAwait(false);
        return found.ToDictionary(chunk => chunk.Hash, StringComparer.Ordinal);
    }

    /// <summary>
    /// Stores <paramref name="chunk"/> and registers it; returns its record, or the record of the same chunk stored
    /// meanwhile by someone else (whose stored bytes may differ from <paramref name="chunk"/>'s).
    /// </summary>
    public async Task<ChunkRecord> StoreAsync(CompressedChunk chunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var key = FreshBlobKeys.Chunk(chunk.Hash);
        var now = time.GetUtcNow();
        await metadata.RecordBlobIntentsAsync([key], now + options.Value.Maintenance.StagedUploadTtl, cancellationToken).ConfigureAwait(false);
        await blobs.PutBytesAsync(key, chunk.Stored, cancellationToken).ConfigureAwait(false);
        return await metadata.RegisterChunkAsync(chunk.ToRecord(key), PendingReleaseTime(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The stored chunk with <paramref name="chunk"/>'s hash (kept from the reaper for an upload's lifetime), or
    /// <paramref name="chunk"/> stored and registered when the server lacks it: the lookup and the new key's intent
    /// are one transaction, so a new chunk costs two metadata writes around its blob put.
    /// </summary>
    public async Task<ChunkRecord> FindOrStoreAsync(CompressedChunk chunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var key = FreshBlobKeys.Chunk(chunk.Hash);
        var due = time.GetUtcNow() + options.Value.Maintenance.StagedUploadTtl;
        if (await metadata.FindChunkOrRecordIntentAsync(chunk.Hash.ToNix32String(), key, PendingReleaseTime(), due, cancellationToken)
            .ConfigureAwait(false) is { } found)
        {
            return found;
        }
        await blobs.PutBytesAsync(key, chunk.Stored, cancellationToken).ConfigureAwait(false);
        return await metadata.RegisterChunkAsync(chunk.ToRecord(key), PendingReleaseTime(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens the stored (compressed) bytes of <paramref name="chunk"/>.</summary>
    public Task<Stream> OpenStoredAsync(ChunkRecord chunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        return blobs.OpenStoredAsync(chunk.StorageKey, 0, $"chunk {chunk.Hash}", cancellationToken);
    }

    /// <summary>Feeds the stored bytes of <paramref name="chunk"/> to <paramref name="hasher"/>.</summary>
    public async Task HashStoredAsync(ChunkRecord chunk, NixHasher hasher, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        var stored = await OpenStoredAsync(chunk, cancellationToken).ConfigureAwait(false);
        await using (stored.ConfigureAwait(false))
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await stored.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hasher.Append(buffer.AsSpan(0, read));
            }
        }
    }

    /// <summary>
    /// The release time that keeps a chunk without holders until <see cref="MaintenanceOptions.StagedUploadTtl"/> from
    /// now: the reaper deletes chunks released <see cref="MaintenanceOptions.ReleaseGrace"/> before its pass.
    /// </summary>
    private DateTimeOffset PendingReleaseTime()
    {
        var maintenance = options.Value.Maintenance;
        var now = time.GetUtcNow();
        return now + TimeSpan.FromTicks(Math.Max(0, (maintenance.StagedUploadTtl - maintenance.ReleaseGrace).Ticks));
    }
}
