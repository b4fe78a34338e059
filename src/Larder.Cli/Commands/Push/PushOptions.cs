namespace Larder.Cli.Commands.Push;

/// <summary>How <see cref="Pusher"/> pushes.</summary>
/// <param name="Closure">Push each path's whole runtime closure (default), not just the path.</param>
/// <param name="IncludeBuildDeps">Also push the build-time closure (with outputs) of each path's deriver.</param>
/// <param name="IgnoreUpstreamFilter">Push paths signed by the cache's upstream keys too.</param>
/// <param name="Jobs">Uploads in parallel.</param>
/// <param name="PartSize">NARs larger than this go up in resumable parts of this size.</param>
/// <param name="Compression"><c>none</c> or <c>zstd</c>: how whole NARs travel (chunks always travel as zstd).</param>
/// <param name="Chunks">
/// Send large NARs as the chunks the server lacks when it supports chunking; false forces whole-NAR uploads.
/// </param>
public sealed record PushOptions(
    bool Closure = true,
    bool IncludeBuildDeps = false,
    bool IgnoreUpstreamFilter = false,
    int Jobs = 4,
    long PartSize = 64L << 20,
    string Compression = "zstd",
    bool Chunks = true);
