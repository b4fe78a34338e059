namespace Larder.Nix.Nar;

/// <summary>The <see cref="INarVisitor"/> behind <see cref="NarRestorer"/>: one file system object per node.</summary>
internal sealed class RestoringVisitor(string target, bool targetExistsEmpty) : INarVisitor
{
    private const int CopyBufferSize = 1024 * 1024;

    /// <summary>Whether the root node has been created (so a failed restore knows what to remove).</summary>
    public bool CreatedRoot { get; private set; }

    public ValueTask DirectoryStartAsync(NarNode node, CancellationToken cancellationToken)
    {
        if (!(node.IsRoot && targetExistsEmpty))
        {
            UnixFileSystem.CreateDirectoryExclusive(PathOf(node));
        }
        CreatedRoot = true;
        return ValueTask.CompletedTask;
    }

    public ValueTask DirectoryEndAsync(NarNode node, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public async ValueTask FileAsync(NarNode node, NarFile file, CancellationToken cancellationToken)
    {
        var path = PathForLeaf(node);
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew, // O_EXCL: fails on anything already there, symlinks included
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 0,
            Options = FileOptions.Asynchronous,
            UnixCreateMode = file.Executable ? (UnixFileMode)0x1FF : (UnixFileMode)0x1B6, // 0777 / 0666, minus umask
        };
        await using var output = new FileStream(path, options);
        CreatedRoot = true;
        await file.Contents.CopyToAsync(output, CopyBufferSize, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask SymlinkAsync(NarNode node, string target, CancellationToken cancellationToken)
    {
        File.CreateSymbolicLink(PathForLeaf(node), target);
        CreatedRoot = true;
        return ValueTask.CompletedTask;
    }

    private string PathOf(NarNode node) => node.IsRoot ? target : Path.Join(target, node.Path);

    private string PathForLeaf(NarNode node)
    {
        if (node.IsRoot && targetExistsEmpty)
        {
            throw new IOException($"cannot restore a single file to '{target}': it is an existing directory");
        }
        return PathOf(node);
    }
}
