using Larder.Contracts.Explain;

namespace Larder.Cli.Client;

public sealed partial class LarderClient
{
    /// <summary><c>POST /api/v1/caches/{name}/paths/status</c>: what the cache knows about up to <see cref="PathStatusRequest.MaxPaths"/> paths.</summary>
    public Task<PathStatusesDto> GetPathStatusesAsync(string cache, IReadOnlyList<string> paths, CancellationToken cancellationToken) =>
        SendJsonAsync(
            () => Json(HttpMethod.Post, $"{CachePath(cache)}/paths/status", new PathStatusRequest(paths), ExplainJsonContext.Default.PathStatusRequest),
            ExplainJsonContext.Default.PathStatusesDto,
            new Operation($"ask cache '{cache}' about {paths.Count} path(s)", "read", cache),
            cancellationToken);
}
