using Larder.Contracts.Paths;
using Larder.Nix.Store;
using Larder.Server.Access;
using Larder.Server.BinaryCache.Serving;
using Larder.Server.Errors;
using Larder.Server.Maintenance.Gc;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Larder.Server.Configuration;

namespace Larder.Server.Api.Paths;

/// <summary>
/// Paths of a cache under <c>/api/v1/caches/{cache}</c>: <c>GET paths/{hash}</c> (read: last access and the eviction
/// forecast), <c>DELETE paths/{hash}?recursive=&amp;dryRun=</c> (delete permission) and <c>POST gc?dryRun=</c> (delete
/// permission: it only applies the policy an admin set).
/// </summary>
public static class PathApi
{
    /// <summary>How many dependents a 409 names before summarizing the rest.</summary>
    private const int NamedDependents = 10;

    /// <summary>Maps the path and garbage-collection endpoints.</summary>
    public static IEndpointRouteBuilder MapPathApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/v1/caches/{cache}").WithTags("Paths").WithBodyLimit();
        group.MapGet("/paths/{hash}", GetAsync).WithSummary("A path's last access and when retention may evict it")
            .RequireCachePermission(Permission.Read);
        group.MapDelete("/paths/{hash}", DeleteAsync)
            .WithSummary("Delete a path; refused (409) while other paths reference it unless recursive=true deletes them too")
            .RequireCachePermission(Permission.Delete);
        group.MapPost("/gc", CollectAsync).WithSummary("Apply the cache's retention policy now; dryRun=true only lists what would go")
            .RequireCachePermission(Permission.Delete);
        return app;
    }

    private static async Task<IResult> GetAsync(
        string hash, HttpContext http, IMetadataStore store, GarbageCollector collector, TimeProvider time, CancellationToken cancellationToken)
    {
        var cache = http.Access().Cache;
        var hashPart = ValidateHash(hash);
        var policy = await collector.PolicyForAsync(cache, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var facts = await store.GetRetentionFactsAsync(cache.Id, hashPart, now - policy.RecentPushProtection, GarbageCollector.MaxGroup, cancellationToken)
            .ConfigureAwait(false) ?? throw NotInCache(cache, hashPart);
        var stats = await store.GetCacheStatsAsync(cache.Id, cancellationToken).ConfigureAwait(false);
        var path = facts.Path;
        var origin = (await store.GetPathAsync(cache.Id, hashPart, cancellationToken).ConfigureAwait(false))?.Path.Origin;
        var dto = new PathInfoDto(
            path.StorePath, path.CreatedAt, path.LastAccessedAt, path.StoredBytes, facts.Dependents.Count,
            EvictionForecast.For(facts, policy, stats.StoredBytes, now), origin);
        return Results.Json(dto, PathJsonContext.Default.PathInfoDto);
    }

    private static async Task<IResult> DeleteAsync(
        string hash, string? recursive, string? dryRun, HttpContext http, IMetadataStore store, ServingChanges serving, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var cache = http.Access().Cache;
        var hashPart = ValidateHash(hash);
        var isRecursive = ParseFlag("recursive", recursive);
        var isDryRun = ParseFlag("dryRun", dryRun);
        var token = http.Access().Caller;
        var reason = $"deleted by token {token.Id} ({token.Description})";
        var deletion = await store.DeletePathAsync(cache.Id, hashPart, isRecursive, isDryRun, reason, token.Id, time.GetUtcNow(), cancellationToken)
            .ConfigureAwait(false);
        if (deletion.Path is not { } path)
        {
            throw NotInCache(cache, hashPart);
        }
        if (!isRecursive && deletion.DirectDependents.Count > 0)
        {
            var named = string.Join(", ", deletion.DirectDependents.Take(NamedDependents));
            var more = deletion.DirectDependents.Count > NamedDependents ? $" and {deletion.DirectDependents.Count - NamedDependents} more" : "";
            throw new ConflictException(
                $"{path.StorePath} is referenced by {deletion.DirectDependents.Count} path(s) of cache '{cache.Name}': {named}{more}; " +
                "delete them first, or delete recursively (recursive=true, larder path delete --recursive) to remove them with it");
        }
        if (deletion.PinnedBy.Count > 0)
        {
            throw new ConflictException(
                $"{path.StorePath} is needed by pin(s) {string.Join(", ", deletion.PinnedBy.Select(p => $"'{p}'"))} of cache '{cache.Name}': " +
                "a pinned path and its closure stay until the pin is removed (larder pin rm) or its keep rule releases it");
        }
        if (deletion.Deleted)
        {
            await serving.PathsChangedAsync(cache.Id, [.. deletion.Group.Select(m => m.HashPart)], cancellationToken).ConfigureAwait(false);
        }
        var dto = new DeletePathsResultDto(isDryRun, [.. deletion.Group.Select(m => m.StorePath)], deletion.Group.Sum(m => m.StoredBytes));
        return Results.Json(dto, PathJsonContext.Default.DeletePathsResultDto);
    }

    private static async Task<IResult> CollectAsync(string? dryRun, HttpContext http, GarbageCollector collector, CancellationToken cancellationToken)
    {
        var cache = http.Access().Cache;
        var isDryRun = ParseFlag("dryRun", dryRun);
        var result = await collector.RunCacheAsync(cache, isDryRun, cancellationToken).ConfigureAwait(false)
            ?? throw new ConflictException("garbage collection is already running (on this server or another replica); retry when it has finished");
        var dto = new GcResultDto(
            result.DryRun, result.PathsEvicted, result.BytesFreed, result.StoredBytesBefore,
            [.. result.Listed.Select(e => new EvictedPathDto(e.Path.StorePath, e.Path.StoredBytes, e.Path.LastAccessedAt, e.Reason))],
            GarbageCollector.ListLimit);
        return Results.Json(dto, PathJsonContext.Default.GcResultDto);
    }

    private static string ValidateHash(string hash) =>
        StorePath.IsValidHashPart(hash)
            ? hash
            : throw new InvalidRequestException($"invalid store path hash '{hash}': expected the 32 Nix base32 characters that start a store path's name");

    private static bool ParseFlag(string name, string? value) => value?.ToLowerInvariant() switch
    {
        null or "" or "false" or "0" => false,
        "true" or "1" => true,
        _ => throw new InvalidRequestException($"invalid {name} '{value}': use true or false"),
    };

    private static NotFoundException NotInCache(CacheRecord cache, string hashPart) =>
        new($"cache '{cache.Name}' has no path with hash {hashPart}");
}
