using Larder.Server.Configuration;

namespace Larder.Server.Ingest;

/// <summary>
/// The folder (<c>DATA/staging</c>) where uploads are written while they are verified, before they go to the blob
/// store. Files here are never visible to clients; whoever creates one deletes it, and <see cref="Sweep"/> removes
/// what a killed server left behind.
/// </summary>
public sealed class StagingArea
{
    /// <summary>Uses (and creates) <paramref name="directory"/>.</summary>
    public StagingArea(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = Path.GetFullPath(directory);
        DataDirectoryPermissions.CreateDirectory(Directory);
    }

    /// <summary>Absolute path of the staging folder.</summary>
    public string Directory { get; }

    /// <summary>A fresh, unused file path in the staging folder (the file is not created).</summary>
    public string NewFilePath(string suffix) => Path.Combine(Directory, $"{Guid.NewGuid():N}{suffix}");

    /// <summary>Deletes <paramref name="path"/> if it still exists; never throws (cleanup must not hide the real error).</summary>
    public static void TryDelete(string? path)
    {
        if (path is null)
        {
            return;
        }
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// Deletes every file in the staging folder: run at start-up, when no upload of this server can be in progress,
    /// so what a crash left behind never accumulates. Returns how many files were removed.
    /// </summary>
    public int Sweep()
    {
        int removed = 0;
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory))
        {
            TryDelete(file);
            removed++;
        }
        return removed;
    }
}
