using Larder.Nix.Hashing;

namespace Larder.Nix.Chunking;

/// <summary>A chunk as a NAR's chunk list names it: the SHA-256 of its (uncompressed) bytes and their count.</summary>
public readonly record struct ChunkEntry(NixHash Hash, int Length);
