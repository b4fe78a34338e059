using Larder.Server.Metadata;

namespace Larder.Server.Ingest;

/// <summary>
/// A NAR received, verified and stored by <see cref="NarIngestor"/>, not yet visible in any cache.
/// Hashes are <c>sha256:&lt;nix32&gt;</c>.
/// </summary>
/// <param name="NarHash">Hash of the uncompressed NAR.</param>
/// <param name="NarSize">Size of the uncompressed NAR.</param>
/// <param name="UploadFileHash">Hash of the body exactly as the client sent it (compressed).</param>
/// <param name="UploadFileSize">Size of the body exactly as the client sent it.</param>
/// <param name="FileHash">Hash of the stored (zstd) file form that clients download.</param>
/// <param name="FileSize">Size of the stored file form.</param>
/// <param name="Chunks">The stored chunks, in order; their stored bytes concatenated are the file form.</param>
/// <param name="ListingKey">Blob key of the <c>.ls</c> listing; null when none is stored (a small NAR's is derived on read, <see cref="Listings.NarListings"/>).</param>
public sealed record IngestedNar(
    string NarHash,
    long NarSize,
    string UploadFileHash,
    long UploadFileSize,
    string FileHash,
    long FileSize,
    IReadOnlyList<ChunkRecord> Chunks,
    string? ListingKey)
{
    /// <summary>The NAR as the metadata store records it (Id 0: assigned on commit).</summary>
    public NarRecord ToNarRecord(DateTimeOffset at) =>
        new(0, NarHash, NarSize, "zstd", FileHash, FileSize, Chunks, ListingKey, at);

    /// <summary>The staged-upload row for Nix's two-step upload to <paramref name="uploadUrl"/>.</summary>
    public StagedNarRecord ToStaged(long cacheId, string uploadUrl, DateTimeOffset at) =>
        new(0, cacheId, uploadUrl, UploadFileHash, UploadFileSize, NarHash, NarSize, FileHash, FileSize, Chunks, ListingKey, at);
}
