namespace Larder.Cli.LocalStore;

/// <summary>
/// What the local Nix store records about one valid path. Paths are full store paths; <see cref="NarHash"/> is in
/// Nix's <c>sha256:&lt;nix32&gt;</c> form whatever form Nix printed.
/// </summary>
public sealed record LocalPathInfo(
    string Path,
    string NarHash,
    long NarSize,
    IReadOnlyList<string> References,
    string? Deriver,
    IReadOnlyList<string> Signatures,
    string? Ca)
{
    /// <summary>The 32-character hash part of <see cref="Path"/>.</summary>
    public string HashPart => StorePaths.HashPartOf(Path);
}
