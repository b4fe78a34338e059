using Larder.Nix.Hashing;
using Larder.Nix.Signing;
using Larder.Nix.Store;
using Larder.Server.Errors;
using Larder.Server.Metadata;
using NarInfoRecord = Larder.Nix.NarInfo.NarInfo;

namespace Larder.Server.Ingest;

/// <summary>
/// Makes a pushed path visible in a cache: checks a client's narinfo against the NAR that was actually received
/// (NarHash, NarSize, and the upload's FileHash/FileSize), the cache's store directory and the references, signs it
/// with the cache's key (keeping the pusher's signatures) and commits it in one metadata transaction, which also
/// checks that every reference is present. Used by Nix's <c>PUT &lt;hash&gt;.narinfo</c> and the CLI's upload.
/// </summary>
public sealed class PathPublisher(IMetadataStore metadata, TimeProvider time)
{
    /// <summary>
    /// Publishes <paramref name="info"/> whose NAR was just ingested (the CLI's upload); references named in
    /// <paramref name="upstreamReferences"/> (already checked against the cache's upstream keys) need not be present.
    /// </summary>
    public Task<PublishResult> PublishAsync(
        CacheRecord cache, NarInfoRecord info, IngestedNar nar, IReadOnlyCollection<string> upstreamReferences, long? tokenId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nar);
        var at = time.GetUtcNow();
        return PublishCoreAsync(
            cache, info, nar.ToNarRecord(at), nar.UploadFileHash, nar.UploadFileSize, null, upstreamReferences, tokenId, at, cancellationToken);
    }

    /// <summary>Publishes <paramref name="info"/> whose NAR was staged by an earlier <c>PUT nar/…</c>.</summary>
    public Task<PublishResult> PublishStagedAsync(CacheRecord cache, NarInfoRecord info, StagedNarRecord staged, long? tokenId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(staged);
        var at = time.GetUtcNow();
        var nar = new NarRecord(0, staged.NarHash, staged.NarSize, "zstd", staged.FileHash, staged.FileSize, staged.Chunks, staged.ListingKey, at);
        return PublishCoreAsync(cache, info, nar, staged.UploadFileHash, staged.UploadFileSize, staged.Id, null, tokenId, at, cancellationToken);
    }

    /// <summary>
    /// Publishes <paramref name="info"/> for a NAR this cache already stores, when no upload came with it: Nix's HEAD
    /// found the NAR under the served URL, or the narinfo is PUT again for a path already present. FileHash/FileSize
    /// are checked only when <paramref name="describesStoredFile"/> (the narinfo's URL is the served one); otherwise
    /// they describe a client-side file Larder never received and does not serve.
    /// </summary>
    public Task<PublishResult> PublishExistingAsync(
        CacheRecord cache, NarInfoRecord info, NarRecord nar, bool describesStoredFile, long? tokenId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nar);
        ArgumentNullException.ThrowIfNull(info);
        var checkedInfo = describesStoredFile ? info : info with { FileHash = null, FileSize = null };
        return PublishCoreAsync(cache, checkedInfo, nar, nar.FileHash, nar.FileSize, null, null, tokenId, time.GetUtcNow(), cancellationToken);
    }

    private async Task<PublishResult> PublishCoreAsync(
        CacheRecord cache, NarInfoRecord info, NarRecord nar, string uploadFileHash, long uploadFileSize, long? stagedId,
        IReadOnlyCollection<string>? upstreamReferences, long? tokenId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(info);
        var storePath = info.StorePath;
        if (storePath.StoreDir != cache.StoreDir)
        {
            throw Bad($"the narinfo's store path {storePath.FullPath} is not in this cache's store directory {cache.StoreDir}");
        }
        Check("NarHash", info.NarHash, NixHash.Parse(nar.NarHash));
        Check("NarSize", info.NarSize, nar.NarSize);
        if (info.FileHash is { } fileHash)
        {
            Check("FileHash", fileHash, NixHash.Parse(uploadFileHash));
        }
        if (info.FileSize is { } fileSize)
        {
            Check("FileSize", fileSize, uploadFileSize);
        }

        foreach (var reference in info.References)
        {
            if (StorePath.ValidateBaseName(reference) is { } invalid)
            {
                throw Bad($"invalid reference '{reference}': {invalid}");
            }
        }
        if (info.Deriver is { } deriver && StorePath.ValidateBaseName(deriver) is { } problem)
        {
            throw Bad($"invalid Deriver '{deriver}': {problem}");
        }
        var signatures = info.Sign(SecretKey.Parse(cache.SigningKey)).Signatures.Distinct(StringComparer.Ordinal).ToList();
        var request = new CommitRequest(
            cache.Id, storePath.HashPart, storePath.FullPath, nar, info.References, info.Deriver, signatures, info.Ca, stagedId, tokenId, at, upstreamReferences);
        var result = await metadata.CommitPathAsync(request, cancellationToken).ConfigureAwait(false);
        return result.Outcome switch
        {
            CommitOutcome.Committed => PublishResult.Committed,
            CommitOutcome.AlreadyPresent => PublishResult.AlreadyPresent,
            CommitOutcome.Conflict => throw new LarderException(
                ErrorKind.Conflict, $"cache '{cache.Name}' already has {storePath.FullPath} with a different NarHash"),
            CommitOutcome.MissingReferences => throw Bad(
                $"cache '{cache.Name}' lacks references of {storePath.FullPath} (push them first): " +
                string.Join(", ", result.MissingReferences.Select(r => $"{cache.StoreDir}/{r}"))),
            _ => throw new InvalidOperationException($"unknown commit outcome {result.Outcome}"),
        };
    }

    private static void Check<T>(string field, T claimed, T actual)
        where T : IEquatable<T>
    {
        if (!claimed.Equals(actual))
        {
            throw Bad($"{field} mismatch: the narinfo says {claimed}, but the uploaded NAR has {actual}");
        }
    }

    private static LarderException Bad(string message) => new(ErrorKind.BadRequest, message);
}
