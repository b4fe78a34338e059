namespace Larder.Contracts.Explain;

/// <summary>The answer of <c>POST /api/v1/caches/{name}/paths/status</c>.</summary>
/// <param name="Cache">The cache name.</param>
/// <param name="StoreDir">The store directory it serves.</param>
/// <param name="SubstituterUrl">The URL Nix's <c>substituters</c> names it by.</param>
/// <param name="PublicKey">The public key of its signing key (<c>keyname:base64</c>).</param>
/// <param name="Paths">One entry per asked path, in the order asked.</param>
public sealed record PathStatusesDto(string Cache, string StoreDir, string SubstituterUrl, string PublicKey, IReadOnlyList<PathStatusDto> Paths);
