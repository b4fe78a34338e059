namespace Larder.Contracts.Chunks;

/// <summary>
/// Body of <c>POST /api/v1/caches/{cache}/chunks/missing</c> (Write): chunk hashes, each the SHA-256 of the chunk's
/// uncompressed bytes as <c>sha256:&lt;nix32&gt;</c>.
/// </summary>
public sealed record MissingChunksRequest(IReadOnlyList<string> Chunks);

/// <summary>The chunk hashes of the request the server does not hold, in request order, each once.</summary>
public sealed record MissingChunksResponse(IReadOnlyList<string> Missing);
