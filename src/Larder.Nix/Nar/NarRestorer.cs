namespace Larder.Nix.Nar;

/// <summary>
/// Unpacks a NAR into the file system, validating it on the way (see <see cref="NarParser"/>). Nothing is written
/// outside the target: entry names cannot escape it, files are created exclusively (never through an existing file or
/// symlink), directories with a <c>mkdir</c> that fails if anything is in the way, and symlinks are created, never
/// followed. If the archive turns out to be malformed, what was restored so far is removed again.
/// </summary>
public static class NarRestorer
{
    /// <summary>
    /// Restores <paramref name="nar"/> at <paramref name="targetPath"/>, which must not exist, or be an empty
    /// directory when the archive's root is a directory. Missing parent directories are created.
    /// </summary>
    /// <returns>NarHash and NarSize of the archive that was read.</returns>
    /// <exception cref="NarFormatException">The archive is malformed.</exception>
    /// <exception cref="PathTooLongException">
    /// A name or path in the archive is longer than the file system allows (an archive may name up to 1024 bytes per
    /// entry and nest without limit; Linux allows 255 and 4096).
    /// </exception>
    /// <exception cref="IOException">The target is not usable, or writing failed.</exception>
    public static async Task<NarHashResult> RestoreAsync(Stream nar, string targetPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nar);
        ArgumentException.ThrowIfNullOrEmpty(targetPath);
        var target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(targetPath));
        var existedEmpty = CheckTarget(target);
        if (Path.GetDirectoryName(target) is { } parent)
        {
            Directory.CreateDirectory(parent);
        }

        var visitor = new RestoringVisitor(target, existedEmpty);
        try
        {
            return await NarParser.ParseAsync(nar, visitor, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            RemovePartialRestore(target, existedEmpty, visitor.CreatedRoot);
            throw;
        }
    }

    /// <summary>True if the target is an existing empty directory; throws if it exists otherwise.</summary>
    private static bool CheckTarget(string target)
    {
        UnixFileStatus status;
        try
        {
            status = UnixFileSystem.GetStatus(target);
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        if (status.Kind != UnixFileKind.Directory)
        {
            throw new IOException($"cannot restore to '{target}': it already exists");
        }
        if (Directory.EnumerateFileSystemEntries(target).Any())
        {
            throw new IOException($"cannot restore to '{target}': the directory is not empty");
        }
        return true;
    }

    private static void RemovePartialRestore(string target, bool existedEmpty, bool createdRoot)
    {
        try
        {
            if (existedEmpty)
            {
                foreach (var entry in new DirectoryInfo(target).EnumerateFileSystemInfos())
                {
                    DeleteEntry(entry);
                }
            }
            else if (createdRoot)
            {
                DeleteEntry(UnixFileSystem.GetStatus(target).Kind == UnixFileKind.Directory ? new DirectoryInfo(target) : new FileInfo(target));
            }
        }
        catch (IOException)
        {
            // Best effort: the original error matters more than a failed cleanup.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void DeleteEntry(FileSystemInfo entry)
    {
        // Directory.Delete(recursive) removes symlinks without following them.
        if (entry is DirectoryInfo directory && directory.LinkTarget is null)
        {
            directory.Delete(recursive: true);
        }
        else
        {
            entry.Delete();
        }
    }
}
