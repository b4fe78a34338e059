using Larder.Contracts.Paths;

namespace Larder.Cli.Client;

public sealed partial class LarderClient
{
    /// <summary><c>GET /api/v1/caches/{name}/paths/{hash}</c>: last access and the eviction forecast.</summary>
    public Task<PathInfoDto> GetPathInfoAsync(string cache, string hashPart, CancellationToken cancellationToken) =>
        SendJsonAsync(() => new HttpRequestMessage(HttpMethod.Get, $"{CachePath(cache)}/paths/{hashPart}"), PathJsonContext.Default.PathInfoDto,
            new Operation($"get the retention of {hashPart} in cache '{cache}'", "read", cache, NotFoundHint: "push it first"), cancellationToken);

    /// <summary><c>DELETE /api/v1/caches/{name}/paths/{hash}?recursive=&amp;dryRun=</c>.</summary>
    public Task<DeletePathsResultDto> DeletePathAsync(string cache, string hashPart, bool recursive, bool dryRun, CancellationToken cancellationToken) =>
        SendJsonAsync(
            () => new HttpRequestMessage(HttpMethod.Delete, $"{CachePath(cache)}/paths/{hashPart}?recursive={Flag(recursive)}&dryRun={Flag(dryRun)}"),
            PathJsonContext.Default.DeletePathsResultDto,
            new Operation($"delete {hashPart} from cache '{cache}'", "delete", cache, NotFoundHint: "check the path with `larder path-info`"),
            cancellationToken);

    /// <summary><c>POST /api/v1/caches/{name}/gc?dryRun=</c>: apply the retention policy now.</summary>
    public Task<GcResultDto> CollectGarbageAsync(string cache, bool dryRun, CancellationToken cancellationToken) =>
        SendJsonAsync(() => new HttpRequestMessage(HttpMethod.Post, $"{CachePath(cache)}/gc?dryRun={Flag(dryRun)}"), PathJsonContext.Default.GcResultDto,
            new Operation($"collect garbage in cache '{cache}'", "delete", cache), cancellationToken);

    private static string Flag(bool value) => value ? "true" : "false";
}
