namespace Larder.Nix.Nar;

/// <summary>
/// Receives the nodes of a NAR, in archive order, from <see cref="NarParser"/>: directories open and close around
/// their entries (sorted by name); files and symlinks are single events. An exception thrown here aborts the parse.
/// </summary>
public interface INarVisitor
{
    ValueTask DirectoryStartAsync(NarNode node, CancellationToken cancellationToken);

    ValueTask DirectoryEndAsync(NarNode node, CancellationToken cancellationToken);

    ValueTask FileAsync(NarNode node, NarFile file, CancellationToken cancellationToken);

    ValueTask SymlinkAsync(NarNode node, string target, CancellationToken cancellationToken);
}
