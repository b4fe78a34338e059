using Larder.Nix.Nar;

namespace Larder.Nix.Tests.Nar;

/// <summary>Ignores every event (file contents are skipped by the parser).</summary>
internal sealed class NullVisitor : INarVisitor
{
    public static readonly NullVisitor Instance = new();

    public ValueTask DirectoryStartAsync(NarNode node, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    public ValueTask DirectoryEndAsync(NarNode node, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    public ValueTask FileAsync(NarNode node, NarFile file, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    public ValueTask SymlinkAsync(NarNode node, string target, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
