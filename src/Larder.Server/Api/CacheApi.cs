using Larder.Contracts;
using Larder.Contracts.Caches;
using Larder.Nix.Signing;
using Larder.Server.Access;
using Larder.Server.Api.Paths;
using Larder.Server.BinaryCache.Serving;
using Larder.Server.Configuration;
using Larder.Server.Errors;
using Larder.Server.Metadata;
using Larder.Server.Upstreams;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Larder.Server.Api;

/// <summary>
/// <c>/api/v1/caches</c>: create (admin on the name), list (what the caller can see), show, configure and delete
/// (admin on the cache), and the event log.
/// </summary>
public static class CacheApi
{
    /// <summary>Largest <c>limit</c> of the event log.</summary>
    public const int MaxEventLimit = 1000;

    /// <summary>Maps the cache endpoints.</summary>
    public static IEndpointRouteBuilder MapCacheApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/v1/caches").WithTags("Caches").WithBodyLimit();
        group.MapPost("", CreateAsync).WithSummary("Create a cache (admin on its name)").Accepts<CreateCacheRequest>("application/json").RequireToken();
        group.MapGet("", ListAsync).WithSummary("List the caches the caller can see").AllowAnyone();
        group.MapGet("/{cache}", GetAsync).WithSummary("Show a cache, with its public key and substituter URL")
            .RequireCachePermission(Permission.Read);
        group.MapPatch("/{cache}", UpdateAsync).WithSummary("Change a cache's settings").Accepts<UpdateCacheRequest>("application/json")
            .RequireCachePermission(Permission.Admin);
        group.MapDelete("/{cache}", DeleteAsync).WithSummary("Delete a cache and its paths").RequireCachePermission(Permission.Admin);
        group.MapGet("/{cache}/events", EventsAsync).WithSummary("The cache's event log, newest first")
            .RequireCachePermission(Permission.Read);
        return app;
    }

    private static async Task<Created<CacheDto>> CreateAsync(
        HttpContext http, IMetadataStore store, TimeProvider time, IOptions<LarderOptions> options, CancellationToken cancellationToken)
    {
        var request = await JsonBody.ReadAsync(http, LarderJsonContext.Default.CreateCacheRequest, cancellationToken).ConfigureAwait(false);
        var token = http.Access().Caller;
        var name = CacheRules.ValidateName(request.Name);
        var priority = CacheRules.ValidatePriority(request.Priority ?? CacheRules.DefaultPriority);
        var storeDir = CacheRules.ValidateStoreDir(request.StoreDir ?? CacheRules.DefaultStoreDir);
        var upstreams = UpstreamRules.Apply(CacheUpstreams.None, request.UpstreamUrls, request.UpstreamKeys, request.UpstreamMode);
        var upstream = UpstreamRules.WithKeyNames(CacheRules.ValidateUpstreamKeyNames(request.UpstreamKeyNames ?? []), upstreams);
        if (!Grants.For(token.Grants, name).HasFlag(Permission.Admin))
        {
            throw new ForbiddenException($"the token lacks admin permission on '{name}', needed to create it");
        }
        var record = new CacheRecord(
            0, name, request.Public ?? false, priority, storeDir, GenerateSigningKey(name), upstream, time.GetUtcNow(), upstreams);
        try
        {
            record = await store.CreateCacheAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch (DuplicateNameException)
        {
            throw new ConflictException($"a cache named '{name}' already exists");
        }
        var dto = CacheMapping.ToDto(
            record, new CacheStats(0, 0, 0), CacheMapping.SubstituterUrl(http.Request, options.Value.PublicUrl, name),
            RetentionMapping.ToDto(RetentionSettings.None, options.Value.Retention));
        return TypedResults.Created($"/api/v1/caches/{name}", dto);
    }

    private static async Task<Ok<IReadOnlyList<CacheDto>>> ListAsync(
        HttpContext http, IMetadataStore store, IOptions<LarderOptions> options, CancellationToken cancellationToken)
    {
        var token = http.Access().Token;
        var visible = new List<CacheDto>();
        foreach (var cache in await store.ListCachesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (cache.IsPublic || (token is not null && Grants.For(token.Grants, cache.Name) != Permission.None))
            {
                var stats = await store.GetCacheStatsAsync(cache.Id, cancellationToken).ConfigureAwait(false);
                visible.Add(CacheMapping.ToDto(cache, stats, CacheMapping.SubstituterUrl(http.Request, options.Value.PublicUrl, cache.Name)));
            }
        }
        return TypedResults.Ok<IReadOnlyList<CacheDto>>(visible);
    }

    private static async Task<Ok<CacheDto>> GetAsync(
        HttpContext http, IMetadataStore store, IOptions<LarderOptions> options, CancellationToken cancellationToken)
    {
        var cache = http.Access().Cache;
        var stats = await store.GetCacheStatsAsync(cache.Id, cancellationToken).ConfigureAwait(false);
        var retention = await store.GetRetentionAsync(cache.Id, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(CacheMapping.ToDto(
            cache, stats, CacheMapping.SubstituterUrl(http.Request, options.Value.PublicUrl, cache.Name), RetentionMapping.ToDto(retention, options.Value.Retention)));
    }

    private static async Task<Ok<CacheDto>> UpdateAsync(
        HttpContext http, IMetadataStore store, ServingChanges serving, IOptions<LarderOptions> options, CancellationToken cancellationToken)
    {
        var request = await JsonBody.ReadAsync(http, LarderJsonContext.Default.UpdateCacheRequest, cancellationToken).ConfigureAwait(false);
        var current = http.Access().Cache;
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
        var stats = await store.GetCacheStatsAsync(cache.Id, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(CacheMapping.ToDto(
            cache, stats, CacheMapping.SubstituterUrl(http.Request, options.Value.PublicUrl, cache.Name), RetentionMapping.ToDto(retention, options.Value.Retention)));
    }

    private static async Task<NoContent> DeleteAsync(HttpContext http, IMetadataStore store, ServingChanges serving, CancellationToken cancellationToken)
    {
        await store.DeleteCacheAsync(http.Access().Cache.Id, cancellationToken).ConfigureAwait(false);
        await serving.CacheChangedAsync(http.Access().Cache.Id, cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<IReadOnlyList<EventDto>>> EventsAsync(
        string? limit, HttpContext http, IMetadataStore store, CancellationToken cancellationToken)
    {
        var count = 100;
        if (limit is not null && (!int.TryParse(limit, out count) || count is < 1 or > MaxEventLimit))
        {
            throw new InvalidRequestException($"invalid limit '{limit}': it must be a number from 1 to {MaxEventLimit}");
        }
        var events = await store.ListEventsAsync(http.Access().Cache.Id, count, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok<IReadOnlyList<EventDto>>([.. events.Select(CacheMapping.ToDto)]);
    }

    /// <summary>A fresh Ed25519 key named <c>&lt;cache&gt;-1</c>, in Nix's secret key format.</summary>
    private static string GenerateSigningKey(string cacheName) => SecretKey.Generate($"{cacheName}-1").ToString();
}
