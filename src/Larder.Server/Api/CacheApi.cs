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
        HttpContext http, CacheCommands caches, IOptions<LarderOptions> options, CancellationToken cancellationToken)
    {
        var request = await JsonBody.ReadAsync(http, LarderJsonContext.Default.CreateCacheRequest, cancellationToken).ConfigureAwait(false);
        var record = await caches.CreateAsync(http.Access().Caller, request, cancellationToken).ConfigureAwait(false);
        var dto = CacheMapping.ToDto(
            record, new CacheStats(0, 0, 0), CacheMapping.SubstituterUrl(http.Request, options.Value.PublicUrl, record.Name),
            RetentionMapping.ToDto(RetentionSettings.None, options.Value.Retention));
        return TypedResults.Created($"/api/v1/caches/{record.Name}", dto);
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
        HttpContext http, IMetadataStore store, CacheCommands caches, IOptions<LarderOptions> options, CancellationToken cancellationToken)
    {
        var request = await JsonBody.ReadAsync(http, LarderJsonContext.Default.UpdateCacheRequest, cancellationToken).ConfigureAwait(false);
        var (cache, retention) = await caches.UpdateAsync(http.Access().Cache, request, cancellationToken).ConfigureAwait(false);
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
}
