using System.Globalization;
using Larder.Server.Metadata;
using Microsoft.Extensions.Logging;

namespace Larder.Server.BinaryCache.Serving;

/// <summary>
/// The one call for anything that changes what the binary cache serves, made after the change committed: a path
/// pushed, deleted or re-signed (<see cref="PathsChangedAsync"/>), or a cache's settings, key or existence
/// (<see cref="CacheChangedAsync"/>), or a token revoked (<see cref="TokensChangedAsync"/>). This replica's <see cref="NarInfoMemory"/> forgets at once; the others hear of it
/// through the metadata store (PostgreSQL NOTIFY) within moments, and within <see cref="NarInfoMemory.MaxAge"/> if
/// the notice is lost.
/// </summary>
public sealed partial class ServingChanges(NarInfoMemory memory, IMetadataStore store, ILogger<ServingChanges> logger)
{
    // A NOTIFY payload holds under 8000 bytes: 200 hash parts of 33 characters and a cache id fit.
    private const int HashPartsPerNotice = 200;

    /// <summary>These paths of the cache appeared, disappeared or changed (signatures).</summary>
    public async Task PathsChangedAsync(long cacheId, IReadOnlyCollection<string> hashParts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hashParts);
        memory.ForgetPaths(cacheId, hashParts);
        foreach (var batch in hashParts.Chunk(HashPartsPerNotice))
        {
            await PublishAsync(ServingChange.ForPaths(cacheId, batch), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The notice for a change of one path, for a commit that publishes it itself (<see cref="CommitRequest.ServingNotice"/>).</summary>
    public static string PathNotice(long cacheId, string hashPart) => ServingChange.ForPaths(cacheId, [hashPart]);

    /// <summary>These paths of the cache changed, and the commit published their notice (<see cref="PathNotice"/>): forgets them here.</summary>
    public void PathsPublished(long cacheId, IReadOnlyCollection<string> hashParts) => memory.ForgetPaths(cacheId, hashParts);

    /// <summary>The cache's settings (public or private), signing key or existence changed.</summary>
    public async Task CacheChangedAsync(long cacheId, CancellationToken cancellationToken)
    {
        memory.ForgetCache(cacheId);
        await PublishAsync(ServingChange.ForCache(cacheId), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A token was revoked (and with it the tokens it created): no remembered token may answer any more.</summary>
    public async Task TokensChangedAsync(CancellationToken cancellationToken)
    {
        memory.ForgetTokens();
        await PublishAsync(ServingChange.Tokens, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Applies a change published by any replica (this one included) to this replica's memory.</summary>
    public void Apply(string notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        if (notice == ServingChange.Tokens)
        {
            memory.ForgetTokens();
        }
        else if (!ServingChange.TryParse(notice, out long cacheId, out var hashParts))
        {
            LogUnknownNotice(logger, notice);
            memory.ForgetAll();
        }
        else if (hashParts is null)
        {
            memory.ForgetCache(cacheId);
        }
        else
        {
            memory.ForgetPaths(cacheId, hashParts);
        }
    }

    private async Task PublishAsync(string notice, CancellationToken cancellationToken)
    {
        try
        {
            await store.PublishServingChangeAsync(notice, cancellationToken).ConfigureAwait(false);
        }
        catch (MetadataUnavailableException e)
        {
            // The change itself committed: failing the request would only make the client retry it. Other replicas
            // forget within NarInfoMemory.MaxAge.
            LogNotPublished(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not tell other replicas about a change; they serve it within the memory's maximum age")]
    private static partial void LogNotPublished(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "unknown serving change notice '{Notice}': forgetting every remembered answer")]
    private static partial void LogUnknownNotice(ILogger logger, string notice);

    /// <summary>
    /// The notice format: <c>&lt;cache id&gt;</c> for a whole cache, <c>&lt;cache id&gt;:&lt;hash&gt;,&lt;hash&gt;…</c> for
    /// paths, <c>tokens</c> for a revocation (a replica that does not know it forgets everything, which is also safe).
    /// </summary>
    internal static class ServingChange
    {
        public const string Tokens = "tokens";

        public static string ForCache(long cacheId) => cacheId.ToString(CultureInfo.InvariantCulture);

        public static string ForPaths(long cacheId, IEnumerable<string> hashParts) =>
            string.Create(CultureInfo.InvariantCulture, $"{cacheId}:{string.Join(',', hashParts)}");

        public static bool TryParse(string notice, out long cacheId, out string[]? hashParts)
        {
            int colon = notice.IndexOf(':', StringComparison.Ordinal);
            hashParts = colon < 0 ? null : notice[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries);
            return long.TryParse(colon < 0 ? notice : notice[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out cacheId);
        }
    }
}
