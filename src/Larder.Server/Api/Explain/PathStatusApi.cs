using Larder.Contracts.Explain;
using Larder.Nix.Signing;
using Larder.Server.Access;
using Larder.Server.Configuration;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Larder.Server.Api.Explain;

/// <summary>
/// <c>POST /api/v1/caches/{cache}/paths/status</c> (read): what the cache knows about many paths in one request, for
/// <c>larder explain</c>: presence with sizes, references the cache lacks and signatures, last access, the latest event
/// (push, eviction, deletion: when, by which token, why), where a present path came from, and for an absent path the
/// present paths of the same name.
/// </summary>
public static class PathStatusApi
{
    /// <summary>The largest request body: <see cref="PathStatusRequest.MaxPaths"/> long store paths fit.</summary>
    public const long MaxBodyBytes = 4L << 20;

    /// <summary>How many paths of the same name one absent path lists.</summary>
    public const int SameNameLimit = 3;

    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapPathStatusApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/api/v1/caches/{cache}/paths/status", StatusAsync).WithTags("Paths")
            .WithSummary($"What the cache knows about up to {PathStatusRequest.MaxPaths} store paths or hash parts (larder explain)")
            .WithBodyLimit(MaxBodyBytes)
            .RequireCachePermission(Permission.Read);
        return app;
    }

    private static async Task<IResult> StatusAsync(
        HttpContext http, IMetadataStore store, IOptions<LarderOptions> options, CancellationToken cancellationToken)
    {
        var cache = http.Access().Cache;
        var request = await JsonBody.ReadAsync(http, ExplainJsonContext.Default.PathStatusRequest, cancellationToken).ConfigureAwait(false);
        var asked = PathStatusQueries.Parse(request, cache.StoreDir);
        var facts = await store.GetPathStatusesAsync(cache.Id, cache.StoreDir, asked, SameNameLimit, cancellationToken).ConfigureAwait(false);
        var dto = new PathStatusesDto(
            cache.Name,
            cache.StoreDir,
            CacheMapping.SubstituterUrl(http.Request, options.Value.PublicUrl, cache.Name),
            SecretKey.Parse(cache.SigningKey).PublicKey.ToString(),
            [.. request.Paths!.Select((query, i) => ToDto(query, asked[i], facts[i]))]);
        return Results.Json(dto, ExplainJsonContext.Default.PathStatusesDto);
    }

    private static PathStatusDto ToDto(string query, PathStatusQuery asked, PathStatusFacts facts)
    {
        var latest = facts.LatestEvent is { } e ? new PathEventDto(e.Kind, e.At, e.TokenDescription, e.Reason) : null;
        var sameName = facts.SameName.Count == 0 ? null : facts.SameName.Select(s => new SameNamePathDto(s.StorePath, s.Deriver, s.CreatedAt)).ToList();
        if (facts.Present is not { } p)
        {
            return new PathStatusDto(query, asked.HashPart, asked.StorePath ?? facts.LatestEvent?.StorePath, false, LatestEvent: latest, SameName: sameName);
        }
        return new PathStatusDto(
            query, asked.HashPart, p.StorePath, true, p.NarHash, p.NarSize, p.FileSize, p.References, p.UpstreamReferences, p.Signatures,
            p.Deriver, p.CreatedAt, p.LastAccessedAt, Origin: p.Origin is null ? PathOrigins.Push : PathOrigins.Upstream, LatestEvent: latest);
    }
}
