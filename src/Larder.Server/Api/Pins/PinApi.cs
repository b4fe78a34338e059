using Larder.Contracts.Pins;
using Larder.Server.Access;
using Larder.Server.Errors;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.Api.Pins;

/// <summary>
/// Pins of a cache under <c>/api/v1/caches/{cache}/pins</c>: list and history need read; setting a revision (a path,
/// or a rollback) and deleting need write. A pin names a path whose whole closure the cache holds, and every
/// protected revision keeps its closure from retention and garbage collection.
/// </summary>
public static class PinApi
{
    /// <summary>How many missing paths a 400 names before summarizing the rest.</summary>
    private const int NamedMissing = 10;

    /// <summary>Maps the pin endpoints.</summary>
    public static IEndpointRouteBuilder MapPinApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/v1/caches/{cache}/pins").WithTags("Pins").WithBodyLimit();
        group.MapGet("", ListAsync).WithSummary("The cache's pins with their current revisions").RequireCachePermission(Permission.Read);
        group.MapGet("/{name}", HistoryAsync).WithSummary("A pin and every revision, newest first").RequireCachePermission(Permission.Read);
        group.MapPut("/{name}", SetAsync).WithSummary("Pin a path (a new revision), or roll back to an earlier revision")
            .Accepts<SetPinRequest>("application/json").RequireCachePermission(Permission.Write);
        group.MapDelete("/{name}", DeleteAsync).WithSummary("Delete a pin and its history; its closures lose their protection")
            .RequireCachePermission(Permission.Write);
        return app;
    }

    private static async Task<IResult> ListAsync(HttpContext http, IMetadataStore store, CancellationToken cancellationToken)
    {
        var cache = http.Access().Cache;
        var pins = await store.ListPinsAsync(cache.Id, cancellationToken).ConfigureAwait(false);
        return TypedResults.Json<IReadOnlyList<PinDto>>([.. pins.Select(p => PinMapping.ToDto(p, cache.Name))], PinJsonContext.Default.IReadOnlyListPinDto);
    }

    private static async Task<IResult> HistoryAsync(string name, HttpContext http, IMetadataStore store, CancellationToken cancellationToken)
    {
        var cache = http.Access().Cache;
        var pin = await store.GetPinAsync(cache.Id, PinRules.ValidateName(name), cancellationToken).ConfigureAwait(false) ?? throw NoSuchPin(cache, name);
        var history = await store.ListPinRevisionsAsync(cache.Id, name, cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(new PinHistoryDto(PinMapping.ToDto(pin, cache.Name), [.. history.Select(PinMapping.ToDto)]), PinJsonContext.Default.PinHistoryDto);
    }

    private static async Task<IResult> SetAsync(string name, HttpContext http, IMetadataStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var cache = http.Access().Cache;
        PinRules.ValidateName(name);
        var request = await JsonBody.ReadAsync(http, PinJsonContext.Default.SetPinRequest, cancellationToken).ConfigureAwait(false);
        var keep = PinRules.ToKeep(request);
        var update = request switch
        {
            { Revision: { } revision, StorePath: null, Artifact: null } when revision >= 1 =>
                new PinUpdate(cache.Id, name, null, null, revision, keep, http.Access().Caller.Id, time.GetUtcNow()),
            { Revision: { } revision, StorePath: null, Artifact: null } =>
                throw new InvalidRequestException($"invalid revision {revision}: revisions are numbered from 1 (`larder pin history` lists them)"),
            { Revision: not null } => throw new InvalidRequestException("give either storePath (with an optional artifact) or revision, not both"),
            { StorePath: { } path } => new PinUpdate(
                cache.Id, name, PinRules.HashPartOf(path, cache), PinRules.ValidateArtifact(request.Artifact), null, keep, http.Access().Caller.Id, time.GetUtcNow()),
            _ => throw new InvalidRequestException("give storePath (the path to pin) or revision (to roll back to)"),
        };
        var change = await store.SetPinAsync(update, cancellationToken).ConfigureAwait(false);
        if (change.Pin is { } pin)
        {
            return TypedResults.Json(PinMapping.ToDto(pin, cache.Name), PinJsonContext.Default.PinDto);
        }
        throw Refusal(cache, name, update, change);
    }

    private static async Task<IResult> DeleteAsync(string name, HttpContext http, IMetadataStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var cache = http.Access().Cache;
        return await store.DeletePinAsync(cache.Id, PinRules.ValidateName(name), time.GetUtcNow(), cancellationToken).ConfigureAwait(false)
            ? TypedResults.NoContent()
            : throw NoSuchPin(cache, name);
    }

    private static LarderException Refusal(CacheRecord cache, string name, PinUpdate update, PinChange change)
    {
        if (change.UnknownRevision)
        {
            return new NotFoundException($"pin '{name}' of cache '{cache.Name}' has no revision {update.RollbackTo}; `larder pin history` lists them");
        }
        var rollback = update.RollbackTo is { } number ? $" (revision {number} of pin '{name}' named it; its protection has lapsed)" : "";
        if (change.MissingPath is { } missing)
        {
            return new InvalidRequestException(
                $"cache '{cache.Name}' does not hold the path with hash {missing}{rollback}: push it with its closure first (larder push {cache.Name} PATH)");
        }
        var named = string.Join(", ", change.MissingReferences.Take(NamedMissing));
        var more = change.MissingReferences.Count > NamedMissing ? $" and {change.MissingReferences.Count - NamedMissing} more" : "";
        return new InvalidRequestException(
            $"cache '{cache.Name}' lacks {change.MissingReferences.Count} path(s) of the closure{rollback} (hashes {named}{more}): push the whole closure first");
    }

    private static NotFoundException NoSuchPin(CacheRecord cache, string name) =>
        new($"cache '{cache.Name}' has no pin named '{name}'; `larder pin list {cache.Name}` shows them");
}
