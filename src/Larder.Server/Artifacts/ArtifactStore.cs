using Larder.Contracts.Artifacts;
using Larder.Nix.Chunking;
using Larder.Nix.Compression;
using Larder.Nix.Hashing;
using Larder.Nix.Streams;
using Larder.Server.Configuration;
using Larder.Server.Errors;
using Larder.Server.Metadata;
using Larder.Server.Storage.Chunks;
using Microsoft.Extensions.Options;

namespace Larder.Server.Artifacts;

/// <summary>
/// Build-artifact archives over the deduplicating chunk store. A save streams the (decompressed) archive through the
/// SHA-256 hasher into the FastCDC chunker; each chunk is compressed and stored by <see cref="ChunkStore"/> unless the
/// server holds it already (from another archive or a NAR), so two archives sharing most files cost little and no
/// archive is ever held in memory or staged on disk. The archive is recorded only after its SHA-256 matched the one
/// the client announced, taking a holder on each chunk like a NAR, so the reaper never deletes a chunk an archive
/// uses. Each save then applies the cache's retention policy.
/// </summary>
public sealed class ArtifactStore(ChunkStore chunks, IMetadataStore metadata, IOptions<LarderOptions> options, TimeProvider time)
{
    private const string LeaseName = "artifacts";
    private readonly string _leaseHolder = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    /// <summary>
    /// Stores <paramref name="body"/> (a tar compressed with <paramref name="encoding"/>) under <paramref name="key"/>
    /// of <paramref name="cache"/>. Fails with a <see cref="LarderException"/> (400 for a hash mismatch or bad
    /// compressed data, 413 beyond <see cref="LarderOptions.MaxUploadBytes"/>) and then records nothing (chunks stored
    /// meanwhile are reaped).
    /// </summary>
    public async Task<ArtifactRecord> SaveAsync(
        CacheRecord cache, string key, Stream body, CompressionKind encoding, string expectedSha256, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(body);
        long maxBytes = options.Value.MaxUploadBytes;
        using var sink = new ChunkSink(chunks);
        string sha256;
        long size;
        try
        {
            var decompressed = Codecs.DecompressBounded(body, encoding, maxBytes, "the archive upload", "the uncompressed archive", leaveOpen: true);
            await using (decompressed.ConfigureAwait(false))
            {
                var chunking = new ChunkingWriteStream(new FastCdcChunker(chunks.Chunking), sink.AcceptAsync, ChunkBuffers.Pool);
                await using (chunking.ConfigureAwait(false))
                {
                    var hashing = new HashingStream(chunking, HashKind.Sha256, leaveOpen: true);
                    await using (hashing.ConfigureAwait(false))
                    {
                        await decompressed.CopyToAsync(hashing, 1 << 18, cancellationToken).ConfigureAwait(false);
                        sha256 = hashing.GetHash().ToHex();
                        size = hashing.Length;
                    }
                    // Checked before the last chunk is taken, so a bad upload that fits in one chunk stores nothing.
                    if (!string.Equals(sha256, expectedSha256, StringComparison.Ordinal))
                    {
                        throw new InvalidRequestException(
                            $"the archive's SHA-256 is {sha256}, but {ArtifactHeaders.Sha256} says {expectedSha256}; nothing was saved");
                    }
                    await chunking.CompleteAsync(cancellationToken).ConfigureAwait(false);
                    await sink.CompleteAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (CompressionException e)
        {
            throw new InvalidRequestException($"the archive upload is not valid {CompressionNames.ToNixName(encoding)} data: {e.Reason}", e);
        }
        catch (LengthLimitExceededException e)
        {
            throw new PayloadTooLargeException(e.Message);
        }
        var now = time.GetUtcNow();
        var saved = await metadata.AddArtifactAsync(
            new ArtifactRecord(0, cache.Id, key, sha256, size, sink.FileSize, sink.Chunks, now, now), cancellationToken).ConfigureAwait(false);
        await PruneAsync(cache.Id, cancellationToken).ConfigureAwait(false);
        return saved;
    }

    /// <summary>The newest archive under the first of <paramref name="keys"/> that has one (noting its use), or null.</summary>
    public Task<ArtifactRecord?> FindAsync(CacheRecord cache, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cache);
        return metadata.FindArtifactAsync(cache.Id, keys, time.GetUtcNow(), cancellationToken);
    }

    /// <summary>The archive's stored bytes: its chunks' zstd frames one after another, itself one zstd stream.</summary>
    public Stream OpenStored(ArtifactRecord artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        return new StoredChunksStream(chunks, artifact.Chunks);
    }

    /// <summary>
    /// Applies the retention policy to every cache, on one replica at a time (under the lease <c>artifacts</c>, held for
    /// one <see cref="ArtifactOptions.RetentionInterval"/>); returns how many uploads went.
    /// </summary>
    public async Task<int> PruneAllAsync(CancellationToken cancellationToken)
    {
        var lease = options.Value.Artifacts.RetentionInterval;
        if (!await metadata.TryTakeLeaseAsync(LeaseName, _leaseHolder, time.GetUtcNow(), lease, cancellationToken).ConfigureAwait(false))
        {
            return 0;
        }
        try
        {
            var pruned = 0;
            foreach (var cache in await metadata.ListCachesAsync(cancellationToken).ConfigureAwait(false))
            {
                pruned += await PruneAsync(cache.Id, cancellationToken).ConfigureAwait(false);
            }
            return pruned;
        }
        finally
        {
            await metadata.ReleaseLeaseAsync(LeaseName, _leaseHolder, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Applies the cache's retention policy (its own limits, else the server defaults); returns how many uploads went.</summary>
    public async Task<int> PruneAsync(long cacheId, CancellationToken cancellationToken)
    {
        var settings = await metadata.GetArtifactRetentionAsync(cacheId, cancellationToken).ConfigureAwait(false);
        var policy = ArtifactRetention.Effective(settings, options.Value.Artifacts);
        var prune = new ArtifactPrune(
            policy.KeepPerKey, policy.MaxAgeDays is { } days ? time.GetUtcNow() - TimeSpan.FromDays(days) : null, policy.MaxTotalBytes);
        return await metadata.PruneArtifactsAsync(cacheId, prune, cancellationToken).ConfigureAwait(false);
    }
}
