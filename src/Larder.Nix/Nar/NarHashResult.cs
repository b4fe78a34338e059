using Larder.Nix.Hashing;

namespace Larder.Nix.Nar;

/// <summary>The NarHash and NarSize of an archive, as a narinfo states them.</summary>
/// <param name="NarHash">SHA-256 of the archive bytes.</param>
/// <param name="NarSize">Length of the archive in bytes.</param>
public sealed record NarHashResult(NixHash NarHash, long NarSize);
