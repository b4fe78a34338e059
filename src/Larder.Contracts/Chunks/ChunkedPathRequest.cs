using Larder.Contracts.Push;

namespace Larder.Contracts.Chunks;

/// <summary>
/// Body of <c>POST /api/v1/caches/{cache}/chunked-paths</c> (Write): publish <see cref="Path"/> whose NAR is the
/// concatenation of <see cref="Chunks"/> (hashes as in <see cref="MissingChunksRequest"/>, in order, repeats allowed).
/// The server re-derives NarHash and NarSize from the chunks it holds and checks the NAR before the path becomes
/// visible; the answer is a <see cref="PushResult"/>. A chunk the server does not hold is a 400 naming it.
/// <c>POST chunked-paths/stream</c> takes the same request as JSON lines, one run of the chunk list per line, in order:
/// only its last line has a <see cref="Path"/> (and may name no chunks).
/// </summary>
public sealed record ChunkedPathRequest(PushPathMetadata? Path, IReadOnlyList<string> Chunks);
