using Larder.Nix.Hashing;
using Larder.Nix.Signing;
using Larder.Server.BinaryCache.Serving;
using Larder.Server.Errors;
using Larder.Server.Metadata;

namespace Larder.Server.Ingest;

/// <summary>
/// Makes a pushed path visible in a cache, for Nix's <c>PUT &lt;hash&gt;.narinfo</c> and the CLI's uploads alike: checks
/// the request's NarHash and NarSize (and FileHash/FileSize, where the file was received) against the stored NAR, signs
/// the path with the cache's key (keeping the pusher's signatures) and commits it in one metadata transaction, which
/// also checks that every reference is present.
/// </summary>
public sealed class PathPublisher(IMetadataStore metadata, ServingChanges serving, TimeProvider time)
{
    private readonly SigningKeyMemory _keys = new();

    /// <summary>
    /// Publishes <paramref name="request"/> with <paramref name="nar"/>. Throws <see cref="InvalidRequestException"/> when
    /// the claims do not match the NAR or references are missing, <see cref="ConflictException"/> when the cache has the
    /// path with another NAR.
    /// </summary>
    public async Task<PublishResult> PublishAsync(
        CacheRecord cache, PublishRequest request, PublishedNar nar, long? tokenId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(nar);
        Check("NarHash", request.NarHash, NixHash.Parse(nar.Nar.NarHash));
        Check("NarSize", request.NarSize, nar.Nar.NarSize);
        if (request.FileHash is { } fileHash && nar.ReceivedFileHash is { } receivedHash)
        {
            Check("FileHash", fileHash, receivedHash);
        }
        if (request.FileSize is { } fileSize && nar.ReceivedFileSize is { } receivedSize)
        {
            Check("FileSize", fileSize, receivedSize);
        }
        var storePath = request.StorePath;
        var commit = new CommitRequest(
            cache.Id, storePath.HashPart, storePath.FullPath, nar.Nar, request.References, request.Deriver, Sign(cache, request),
            request.Ca, nar.StagedNarId, tokenId, time.GetUtcNow(), request.UpstreamReferences, request.Origin,
            ServingChanges.PathNotice(cache.Id, storePath.HashPart));
        var result = await metadata.CommitPathAsync(commit, cancellationToken).ConfigureAwait(false);
        if (result.Outcome is CommitOutcome.Committed or CommitOutcome.AlreadyPresent)
        {
            // Present now, or with signatures merged: replicas must not keep answering with the old narinfo or a 404
            // (they hear of it through the notice the commit published).
            serving.PathsPublished(cache.Id, [storePath.HashPart]);
        }
        return result.Outcome switch
        {
            CommitOutcome.Committed => PublishResult.Committed,
            CommitOutcome.AlreadyPresent => PublishResult.AlreadyPresent,
            CommitOutcome.Conflict => throw new ConflictException(
                $"cache '{cache.Name}' already has {storePath.FullPath} with a different NarHash"),
            CommitOutcome.MissingReferences => throw new InvalidRequestException(
                $"cache '{cache.Name}' lacks references of {storePath.FullPath} (push them first): " +
                string.Join(", ", result.MissingReferences.Select(r => $"{cache.StoreDir}/{r}"))),
            _ => throw new InvalidOperationException($"unknown commit outcome {result.Outcome}"),
        };
    }

    /// <summary>The pusher's signatures, with the cache key's signature replacing any older one by the same key name.</summary>
    private IReadOnlyList<string> Sign(CacheRecord cache, PublishRequest request)
    {
        var key = _keys.For(cache);
        var fingerprint = Fingerprint.For(
            request.StorePath, request.NarHash, request.NarSize, request.References.Select(r => $"{request.StorePath.StoreDir}/{r}"));
        var ownPrefix = key.Name + ":";
        return [.. request.Signatures.Where(s => !s.StartsWith(ownPrefix, StringComparison.Ordinal)), key.Sign(System.Text.Encoding.UTF8.GetBytes(fingerprint))];
    }

    private static void Check<T>(string field, T claimed, T actual)
        where T : IEquatable<T>
    {
        if (!claimed.Equals(actual))
        {
            throw new InvalidRequestException($"{field} mismatch: the client says {claimed}, but the uploaded NAR has {actual}");
        }
    }
}
