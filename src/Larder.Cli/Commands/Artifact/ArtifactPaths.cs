using Larder.Cli.Infrastructure;

namespace Larder.Cli.Commands.Artifact;

/// <summary>Paths inside an artifact archive: relative, <c>/</c>-separated, never leaving the directory they are relative to.</summary>
internal static class ArtifactPaths
{
    /// <summary>The folder of the archive's own entries (the saved directories and the source manifest).</summary>
    public const string MetaFolder = ".larder-artifact";

    /// <summary>The entry listing the saved directories, one per line.</summary>
    public const string DirsEntry = MetaFolder + "/dirs";

    /// <summary>The entry holding the source manifest (<c>sha256sum</c> format).</summary>
    public const string SourcesEntry = MetaFolder + "/sources.sha256";

    /// <summary>Prefix of the temporary folder a restore extracts into, beside the restored directories.</summary>
    public const string RestorePrefix = ".larder-restore-";

    /// <summary>
    /// <paramref name="dir"/> relative to <paramref name="root"/> in archive form; a <see cref="CliException"/> when it
    /// is <paramref name="root"/> itself or outside it.
    /// </summary>
    public static string RelativeInside(string root, string dir)
    {
        var full = Path.GetFullPath(dir, root);
        var relative = Path.GetRelativePath(root, full);
        if (relative == "." || relative == ".." || relative.StartsWith("../", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            throw new CliException($"'{dir}' is not inside '{root}': save directories below the current directory (or --into)");
        }
        return relative.Replace(Path.DirectorySeparatorChar, '/');
    }

    /// <summary>Why <paramref name="name"/> is not a safe relative entry name, or null when it is.</summary>
    public static string? Problem(string name)
    {
        var trimmed = name.TrimEnd('/');
        if (trimmed.Length == 0)
        {
            return "an empty name";
        }
        if (trimmed.StartsWith('/') || trimmed.Contains('\0', StringComparison.Ordinal) || trimmed.Contains('\\', StringComparison.Ordinal))
        {
            return "an absolute name or one with NUL or '\\'";
        }
        return trimmed.Split('/').Any(segment => segment is "" or "." or "..") ? "a '..', '.' or empty segment" : null;
    }
}
