using Larder.Nix.Chunking;
using Larder.Nix.Hashing;
using Larder.Server.Configuration;
using Larder.Server.BinaryCache;
using Larder.Server.Ingest;
using Larder.Server.Metadata;
using Larder.Server.Storage.Inline;
using Larder.Server.Storage.Packs;
using Larder.Server.Storage.SharedPacks;
using Microsoft.Extensions.Options;

namespace Larder.Server.Storage.Chunks;

/// <summary>
/// Chunks stored once across all caches, keyed by the SHA-256 of their uncompressed bytes. A chunk is written as: its
/// fresh blob key recorded as an intent (due after <see cref="MaintenanceOptions.StagedUploadTtl"/>), the compressed
/// bytes put in the blob store straight from memory, then the chunk's row registered without a holder, claiming the intent, in one
/// transaction. From then on it is found by hash (by <c>chunks/missing</c>, by ingests of NARs sharing it), before any
/// NAR names it. A chunk without a holder, found or registered, gets a release time that keeps it from the reaper for
/// <see cref="MaintenanceOptions.StagedUploadTtl"/> from now: as long as an upload that uses it may take. Packs up to
/// <c>Larder:Storage:InlineThreshold</c> go into the metadata database instead, in the registering transaction alone
/// (see <see cref="InlineBlobStore"/>).
/// </summary>
public sealed class ChunkStore(IBlobStore blobs, IMetadataStore metadata, IOptions<LarderOptions> options, TimeProvider time)
{
    /// <summary>The same store; chunks no longer pass through <paramref name="staging"/> (they are written from memory).</summary>
    public ChunkStore(IBlobStore blobs, IMetadataStore metadata, StagingArea staging, IOptions<LarderOptions> options, TimeProvider time)
        : this(blobs, metadata, options, time)
    {
        ArgumentNullException.ThrowIfNull(staging);
    }

    // The server's blob store keeps small packs in the metadata database; a bare store (tools, tests) keeps none.
    private readonly InlineBlobStore? _inline = blobs as InlineBlobStore;

    private SharedPackWriter? _sharedWriter;

    /// <summary>The group commit of small packs, made on first use; null when <c>Larder:Storage:SharedPackThreshold</c> is 0.</summary>
    private SharedPackWriter? SharedWriter => options.Value.Storage.SharedPackThreshold == 0
        ? null
        : LazyInitializer.EnsureInitialized(ref _sharedWriter, () => new SharedPackWriter((pack, companions) => StoreInBlobStoreAsync(pack, companions, CancellationToken.None)));

    /// <summary>Small packs waiting to share a blob (<see cref="SharedPackWriter.WaitingPacks"/>).</summary>
    public int WaitingSharedPacks => _sharedWriter?.WaitingPacks ?? 0;

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

    /// <summary>Largest pack, in stored bytes (<c>Larder:Chunking:PackSize</c>); also the largest pack upload.</summary>
    public int PackSize => options.Value.Chunking.PackSize;

    /// <summary>NARs up to this size are stored without a listing blob (<c>Larder:Chunking:DerivedListingThreshold</c>).</summary>
    public long DerivedListingThreshold => options.Value.Chunking.DerivedListingThreshold;

    /// <summary>Whether a pack of <paramref name="storedBytes"/> goes into the metadata database (<c>Larder:Storage:InlineThreshold</c>).</summary>
    public bool StoresInline(long storedBytes) => _inline is { } inline && storedBytes <= inline.Threshold;

    /// <summary>An empty pack of <c>Larder:Chunking:PackSize</c> bytes, for <see cref="StorePackAsync"/>.</summary>
    public PackBuilder NewPack() => new(PackSize);

    /// <summary>
    /// Stores the chunks gathered in <paramref name="pack"/> and registers them; answers each chunk's record in order,
    /// or the record of the same chunk stored before by someone else (whose stored bytes may differ), and whether there
    /// was any such. A pack up to <c>Larder:Storage:InlineThreshold</c> goes into the metadata database; one up to
    /// <c>Larder:Storage:SharedPackThreshold</c> may share its blob with the packs of concurrent uploads
    /// (<see cref="SharedPackWriter"/>); any other is stored as its own blob (intent, put, register, as for one chunk).
    /// A <paramref name="companion"/> is announced in the pack's intent and put beside it.
    /// </summary>
    public async Task<RegisteredPack> StorePackAsync(PackBuilder pack, CompanionBlob? companion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pack);
        if (_inline is { } inline && StoresInline(pack.Bytes.Length))
        {
            var key = InlineKeys.FreshPack();
            var registered = await StoreInlineAsync(inline, key, pack, companion, cancellationToken).ConfigureAwait(false);
            return new RegisteredPack(registered, registered.Any(chunk => chunk.PackKey != key));
        }
        if (SharedWriter is { } shared && Shares(pack))
        {
            return await shared.StoreAsync(pack, companion, cancellationToken).ConfigureAwait(false);
        }
        var stored = await StoreInBlobStoreAsync(pack, companion is null ? [] : [companion], cancellationToken).ConfigureAwait(false);
        return stored.Slice(0, stored.Registered.Count);
    }

    /// <summary>
    /// Whether <paramref name="pack"/> may share its blob: small enough, and not a lone chunk while lone chunks are
    /// handed out by direct URLs (<c>Larder:Storage:S3:PresignedDownloads</c>: a NAR of one chunk redirects there).
    /// </summary>
    private bool Shares(PackBuilder pack) =>
        pack.Bytes.Length <= options.Value.Storage.SharedPackThreshold
        && !(pack.Chunks.Count == 1 && options.Value.Storage.Kind == "s3" && options.Value.Storage.S3.PresignedDownloads);

    /// <summary>
    /// Stores <paramref name="pack"/> as one blob (a lone chunk as its own, so a NAR of one chunk stays one object an
    /// S3 store can hand out by a direct URL) and registers its chunks: the intent of the blob and of
    /// <paramref name="companions"/>, then all puts at once, then the registration.
    /// </summary>
    private async Task<PackRegistration> StoreInBlobStoreAsync(PackBuilder pack, IReadOnlyList<CompanionBlob> companions, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var lone = pack.Chunks is [var only] ? only with { StorageKey = FreshBlobKeys.Chunk(NixHash.Parse(only.Hash)), PackKey = null, PackOffset = 0 } : null;
        var blobKey = lone?.StorageKey ?? pack.Key;
        await metadata.RecordBlobIntentsAsync([blobKey, .. companions.Select(companion => companion.Key)], now + options.Value.Maintenance.StagedUploadTtl, cancellationToken)
            .ConfigureAwait(false);
        await Task.WhenAll([
            blobs.PutBytesAsync(blobKey, pack.Bytes, cancellationToken),
            .. companions.Select(companion => blobs.PutBytesAsync(companion.Key, companion.Bytes, cancellationToken))]).ConfigureAwait(false);
        if (lone is not null)
        {
            var chunk = await metadata.RegisterChunkAsync(lone, PendingReleaseTime(), cancellationToken).ConfigureAwait(false);
            return new PackRegistration([lone], [chunk]);
        }
        var chunks = await metadata.RegisterPackAsync(pack.Key, pack.Chunks, PendingReleaseTime(), cancellationToken).ConfigureAwait(false);
        return new PackRegistration([.. pack.Chunks], chunks);
    }

    /// <summary>
    /// Stores a small pack in the metadata database, in the transaction that registers its chunks (a lone chunk too: an
    /// inline blob has no direct URL to keep), with <paramref name="companion"/> stored meanwhile as usual.
    /// </summary>
    private async Task<IReadOnlyList<ChunkRecord>> StoreInlineAsync(
        InlineBlobStore inline, string key, PackBuilder pack, CompanionBlob? companion, CancellationToken cancellationToken)
    {
        var chunks = pack.Chunks.Select(chunk => chunk with { StorageKey = PackKeys.Member(key, chunk.PackOffset), PackKey = key }).ToList();
        var companionStored = companion is null ? Task.CompletedTask : StoreCompanionAsync(companion, cancellationToken);
        var registering = inline.StorePackAsync(key, chunks, pack.Bytes, PendingReleaseTime(), cancellationToken);
        await Task.WhenAll(registering, companionStored).ConfigureAwait(false);
        return await registering.ConfigureAwait(false);
    }

    /// <summary>Stores <paramref name="companion"/> alone (its intent, then its put), when no pack is left to go with it.</summary>
    public async Task StoreCompanionAsync(CompanionBlob companion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(companion);
        await metadata.RecordBlobIntentsAsync([companion.Key], time.GetUtcNow() + options.Value.Maintenance.StagedUploadTtl, cancellationToken)
            .ConfigureAwait(false);
        await blobs.PutBytesAsync(companion.Key, companion.Bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens the stored (compressed) bytes of <paramref name="chunk"/>.</summary>
    public Task<Stream> OpenStoredAsync(ChunkRecord chunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        return OpenSpanAsync(new BlobSpan(chunk.BlobKey, chunk.BlobOffset, chunk.StoredSize, chunk.Hash), cancellationToken);
    }

    /// <summary>Opens <paramref name="span"/> (a chunk's stored bytes, or a run of them in one pack).</summary>
    public Task<Stream> OpenSpanAsync(BlobSpan span, CancellationToken cancellationToken) => blobs.OpenSpanAsync(span, $"chunk {span.FirstChunk}", cancellationToken);

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
