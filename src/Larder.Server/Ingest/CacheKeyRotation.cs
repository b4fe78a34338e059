using Larder.Nix.Hashing;
using Larder.Nix.Signing;
using Larder.Nix.Store;
using Larder.Server.BinaryCache.Serving;
using Larder.Server.Metadata;

namespace Larder.Server.Ingest;

/// <summary>
/// Replaces a cache's signing key and re-signs every path of the cache with it, in bounded batches: the old cache
/// key's signature is removed and the pushers' signatures are kept, so clients that trust only the new key can
/// substitute paths pushed before the change.
/// </summary>
public sealed class CacheKeyRotation(IMetadataStore metadata, ServingChanges serving)
{
    /// <summary>Paths read and re-signed per transaction.</summary>
    public const int BatchSize = 500;

    /// <summary>Stores <paramref name="newKey"/> as the cache's key, then re-signs its paths; returns how many were re-signed.</summary>
    public async Task<long> ReplaceAsync(CacheRecord cache, SecretKey newKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(newKey);
        var oldPrefix = SecretKey.Parse(cache.SigningKey).Name + ":";
        var newPrefix = newKey.Name + ":";
        await metadata.SetSigningKeyAsync(cache.Id, newKey.ToString(), cancellationToken).ConfigureAwait(false);
        // Replicas remember the cache record, key included, for their pushes: they must sign with the new key from now on.
        await serving.CacheChangedAsync(cache.Id, cancellationToken).ConfigureAwait(false);
        long resigned = 0;
        var after = "";
        while (true)
        {
            var batch = await metadata.ListPathsToSignAsync(cache.Id, after, BatchSize, cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                return resigned;
            }
            var updates = batch.Select(path => (path.HashPart, Sign(cache.StoreDir, path, newKey, oldPrefix, newPrefix))).ToList();
            await metadata.SetPathSignaturesAsync(cache.Id, updates, cancellationToken).ConfigureAwait(false);
            await serving.PathsChangedAsync(cache.Id, [.. updates.Select(u => u.HashPart)], cancellationToken).ConfigureAwait(false);
            resigned += batch.Count;
            after = batch[^1].HashPart;
        }
    }

    private static IReadOnlyList<string> Sign(string storeDir, PathToSign path, SecretKey key, string oldPrefix, string newPrefix)
    {
        var fingerprint = Fingerprint.For(
            StorePath.Parse(path.StorePath, storeDir), NixHash.Parse(path.NarHash), path.NarSize, path.References.Select(r => $"{storeDir}/{r}"));
        return
        [
            .. path.Signatures.Where(s => !s.StartsWith(oldPrefix, StringComparison.Ordinal) && !s.StartsWith(newPrefix, StringComparison.Ordinal)),
            key.Sign(fingerprint),
        ];
    }
}
