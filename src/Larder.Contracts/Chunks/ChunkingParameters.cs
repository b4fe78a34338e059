namespace Larder.Contracts.Chunks;

/// <summary>
/// Body of <c>GET /api/v1/caches/{cache}/chunking</c>: how the server cuts NARs into chunks (FastCDC with the pinned
/// gear table of <c>Larder.Nix.Chunking</c>). A client that chunks with exactly these sizes produces the chunks the
/// server already holds, so only new ones are sent. A server without the endpoint (404) takes whole NARs only.
/// </summary>
/// <param name="MinSize">Smallest chunk, in bytes (except the last of a NAR).</param>
/// <param name="AverageSize">Normal chunk size the cut points aim at.</param>
/// <param name="MaxSize">Largest chunk; also the largest chunk body accepted uncompressed.</param>
/// <param name="SingleChunkThreshold">NARs no larger than this are one chunk.</param>
/// <param name="MaxChunksPerRequest">Most chunk hashes one <c>chunks/missing</c> or <c>chunked-paths</c> request may name.</param>
/// <param name="PackSize">
/// Largest body of <c>POST chunks/packs</c> (several chunks in one request, stored as one object); 0 from a server
/// without it, which takes one chunk per <c>PUT chunks/{nix32}</c>.
/// </param>
/// <param name="StreamedCommit">
/// Whether the server takes <c>POST chunked-paths/stream</c> (the chunk list sent while the NAR is read, re-derived as
/// it arrives); false from a server without it, which takes the whole list in <c>POST chunked-paths</c>.
/// </param>
public sealed record ChunkingParameters(
    int MinSize, int AverageSize, int MaxSize, int SingleChunkThreshold, int MaxChunksPerRequest, int PackSize = 0, bool StreamedCommit = false);
