namespace Larder.Contracts.Explain;

/// <summary>
/// The body of <c>POST /api/v1/caches/{name}/paths/status</c>: up to <see cref="MaxPaths"/> store paths
/// (<c>/nix/store/hash-name</c>) or bare hash parts. Full store paths let the server find the latest event of a path it
/// no longer holds with one index probe, and the paths of the same name (a changed input).
/// </summary>
/// <param name="Paths">Store paths or hash parts, in the order the answer repeats them.</param>
public sealed record PathStatusRequest(IReadOnlyList<string>? Paths)
{
    /// <summary>How many paths one request may ask about.</summary>
    public const int MaxPaths = 10_000;
}
