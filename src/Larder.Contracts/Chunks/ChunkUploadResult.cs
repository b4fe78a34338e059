namespace Larder.Contracts.Chunks;

/// <summary>
/// Answer of <c>PUT /api/v1/caches/{cache}/chunks/{hash}</c> (Write; <c>{hash}</c> is the nix32 part of the chunk's
/// SHA-256; body is the chunk, plain or with <c>Content-Encoding: zstd</c>). The server verifies the bytes against the
/// hash before storing anything. <see cref="Stored"/> is false when it already held the chunk (201 when stored, 200
/// when already held).
/// </summary>
public sealed record ChunkUploadResult(string Hash, long Size, bool Stored);
