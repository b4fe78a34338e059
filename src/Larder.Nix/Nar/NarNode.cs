namespace Larder.Nix.Nar;

/// <summary>
/// Where a parser event happens: <see cref="Path"/> is relative to the archive root with <c>/</c> separators
/// (<c>""</c> for the root), <see cref="Name"/> its last component (<c>""</c> for the root), <see cref="Depth"/> 0 for
/// the root, and <see cref="Offset"/> the archive offset of the node's opening <c>(</c>.
/// </summary>
public readonly record struct NarNode(string Path, string Name, int Depth, long Offset)
{
    /// <summary>True for the archive's top-level node.</summary>
    public bool IsRoot => Depth == 0;
}

/// <summary>
/// A regular file in a NAR. <see cref="Contents"/> yields exactly <see cref="Size"/> bytes straight from the archive
/// and is only valid during the visitor call; unread bytes are skipped afterwards. <see cref="ContentsOffset"/> is
/// the archive offset of the first content byte (Nix's <c>narOffset</c>).
/// </summary>
public sealed record NarFile(bool Executable, long Size, long ContentsOffset, Stream Contents);
