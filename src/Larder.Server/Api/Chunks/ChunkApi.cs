using Larder.Server.Access;
using Larder.Server.Api.StreamedCommit;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.Api.Chunks;

/// <summary>
/// The chunk-level push of <c>larder push</c>, under <c>/api/v1/caches/{cache}</c>:
/// <list type="bullet">
/// <item><c>GET chunking</c>: the chunk sizes the server cuts with (Read).</item>
/// <item><c>POST chunks/missing</c>: which of these chunk hashes the server lacks (Write).</item>
/// <item><c>PUT chunks/{nix32}</c>: one chunk, plain or <c>Content-Encoding: zstd</c>, verified against its hash (Write).</item>
/// <item><c>POST chunks/packs</c>: several chunks in one body, verified, stored as one pack object (Write).</item>
/// <item><c>POST chunked-paths</c>: publish a path whose NAR is an ordered list of stored chunks (Write).</item>
/// <item><c>POST chunked-paths/stream</c>: the same, its chunk list sent in runs while the client reads (Write).</item>
/// </list>
/// </summary>
public static class ChunkApi
{
    /// <summary>Maps the chunk endpoints onto <paramref name="app"/>.</summary>
    public static IEndpointRouteBuilder MapChunkApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/v1/caches/{cache}").WithTags("Chunks");
        group.MapGet("/chunking", static (ChunkHandlers chunks) => chunks.Parameters())
            .WithSummary("The chunk sizes this server cuts NARs with").RequireCachePermission(Permission.Read);
        group.MapPost("/chunks/missing", static (HttpContext http, ChunkHandlers chunks) => chunks.MissingAsync(http))
            .WithSummary("Which of these chunk hashes the server lacks").RequireCachePermission(Permission.Write);
        group.MapPost("/chunks/packs", static (HttpContext http, ChunkHandlers chunks) => chunks.UploadPackAsync(http))
            .WithSummary("Upload several chunks as one pack, each verified against its hash").RequireCachePermission(Permission.Write);
        group.MapPut("/chunks/{nix32}", static (string nix32, HttpContext http, ChunkHandlers chunks) => chunks.UploadAsync(http, nix32))
            .WithSummary("Upload one chunk, verified against its hash").RequireCachePermission(Permission.Write);
        group.MapPost("/chunked-paths/stream", static (HttpContext http, StreamedCommitHandler commit) => commit.CommitAsync(http))
            .WithSummary("Publish a chunked path whose chunk list is sent while the client reads the NAR").RequireCachePermission(Permission.Write);
        group.MapPost("/chunked-paths", static (HttpContext http, ChunkHandlers chunks) => chunks.CommitPathAsync(http))
            .WithSummary("Publish a path whose NAR is an ordered list of stored chunks").RequireCachePermission(Permission.Write);
        return app;
    }
}
