namespace Larder.Contracts.Push;

/// <summary>Body of <c>POST /api/v1/caches/{cache}/missing</c>: store path hash parts (32 nix32 characters).</summary>
public sealed record MissingPathsRequest(IReadOnlyList<string> Hashes);

/// <summary>The hash parts of the request that the cache does not hold, in request order.</summary>
public sealed record MissingPathsResponse(IReadOnlyList<string> Missing);
