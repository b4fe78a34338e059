namespace Larder.Cli.Commands.Artifact;

/// <summary>
/// The modification times a restore sets so that make-style tools rebuild only what changed: every restored artifact
/// gets <see cref="Restored"/>, a fixed time in the past; changed and new sources get now; an unchanged source newer
/// than <see cref="Restored"/> (copied rather than unpacked from the Nix store, whose files are dated 1970) is set an
/// hour before it, so that it looks older than the artifacts made from it.
/// </summary>
internal static class ArtifactTimes
{
    /// <summary>The time every restored artifact gets.</summary>
    public static readonly DateTime Restored = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Sets <see cref="Restored"/> on <paramref name="path"/> and everything below it (symbolic links are left alone).</summary>
    public static void AgeTree(string path)
    {
        var info = new DirectoryInfo(path);
        if (info.LinkTarget is not null || new FileInfo(path).LinkTarget is not null)
        {
            return;
        }
        if (!info.Exists)
        {
            File.SetLastWriteTimeUtc(path, Restored);
            return;
        }
        foreach (var child in info.EnumerateFileSystemInfos())
        {
            AgeTree(child.FullName);
        }
        Directory.SetLastWriteTimeUtc(path, Restored);
    }

    /// <summary>Dates the sources under <paramref name="root"/> as the class summary says.</summary>
    public static void DateSources(string root, SourceManifest current, SourceChanges changes)
    {
        var now = DateTime.UtcNow;
        var touched = new HashSet<string>(changes.Changed.Concat(changes.Added), StringComparer.Ordinal);
        foreach (var relative in current.Hashes.Keys)
        {
            var path = Path.Combine(root, relative);
            if (touched.Contains(relative))
            {
                File.SetLastWriteTimeUtc(path, now);
            }
            else if (File.GetLastWriteTimeUtc(path) >= Restored)
            {
                File.SetLastWriteTimeUtc(path, Restored.AddHours(-1));
            }
        }
    }
}
