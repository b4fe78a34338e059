using Larder.Contracts.Caches;
using Larder.Nix.Signing;
using Larder.Server.Access;
using Larder.Server.Api.Paths;
using Larder.Server.BinaryCache.Serving;
using Larder.Server.Errors;
using Larder.Server.Metadata;
using Larder.Server.Upstreams;

namespace Larder.Server.Api;

/// <summary>
/// Creating and configuring caches, shared by <c>/api/v1/caches</c> and the dashboard so both apply the same rules and
/// give the same errors (<see cref="CacheRules"/>, <see cref="RetentionMapping"/>).
/// </summary>
public sealed class CacheCommands(IMetadataStore store, ServingChanges serving, TimeProvider time)
{
    /// <summary>Creates a cache; 403 unless <paramref name="caller"/> has admin on its name, 409 when the name is taken.</summary>
    public async Task<CacheRecord> CreateAsync(TokenRecord caller, CreateCacheRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var name = CacheRules.ValidateName(request.Name);
        var priority = CacheRules.ValidatePriority(request.Priority ?? CacheRules.DefaultPriority);
        var storeDir = CacheRules.ValidateStoreDir(request.StoreDir ?? CacheRules.DefaultStoreDir);
        var upstreams = UpstreamRules.Apply(CacheUpstreams.None, request.UpstreamUrls, request.UpstreamKeys, request.UpstreamMode);
        var upstream = UpstreamRules.WithKeyNames(CacheRules.ValidateUpstreamKeyNames(request.UpstreamKeyNames ?? []), upstreams);
        if (!Grants.For(caller.Grants, name).HasFlag(Permission.Admin))
        {
            throw new ForbiddenException($"the token lacks admin permission on '{name}', needed to create it");
        }
        var record = new CacheRecord(
            0, name, request.Public ?? false, priority, storeDir, GenerateSigningKey(name), upstream, time.GetUtcNow(), upstreams);
        try
        {
            return await store.CreateCacheAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch (DuplicateNameException)
        {
            throw new ConflictException($"a cache named '{name}' already exists");
        }
    }

    /// <summary>
    /// Applies <paramref name="request"/> to <paramref name="current"/> (the caller's admin on it already checked) and
    /// tells the serving memories; returns the cache and its retention settings as now stored.
    /// </summary>
    public async Task<(CacheRecord Cache, RetentionSettings Retention)> UpdateAsync(
        CacheRecord current, UpdateCacheRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(request);
        var upstreams = UpstreamRules.Apply(current.Upstreams ?? CacheUpstreams.None, request.UpstreamUrls, request.UpstreamKeys, request.UpstreamMode);
        var keyNames = request.UpstreamKeyNames is { } upstream ? CacheRules.ValidateUpstreamKeyNames(upstream) : current.UpstreamKeyNames;
        var cache = current with
        {
            IsPublic = request.Public ?? current.IsPublic,
            Priority = request.Priority is { } priority ? CacheRules.ValidatePriority(priority) : current.Priority,
            UpstreamKeyNames = UpstreamRules.WithKeyNames(keyNames, upstreams),
            Upstreams = upstreams,
        };
        var retention = await store.GetRetentionAsync(cache.Id, cancellationToken).ConfigureAwait(false);
        var newRetention = RetentionMapping.Apply(retention, request);
        await store.UpdateCacheAsync(cache, cancellationToken).ConfigureAwait(false);
        if (newRetention is not null)
        {
            await store.SetRetentionAsync(cache.Id, newRetention, cancellationToken).ConfigureAwait(false);
            retention = newRetention;
        }
        await serving.CacheChangedAsync(cache.Id, cancellationToken).ConfigureAwait(false);
        return (cache, retention);
    }

    /// <summary>A fresh Ed25519 key named <c>&lt;cache&gt;-1</c>, in Nix's secret key format.</summary>
    private static string GenerateSigningKey(string cacheName) => SecretKey.Generate($"{cacheName}-1").ToString();
}
