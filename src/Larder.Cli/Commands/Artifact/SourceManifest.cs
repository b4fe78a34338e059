using System.Security.Cryptography;
using Larder.Cli.Infrastructure;

namespace Larder.Cli.Commands.Artifact;

/// <summary>
/// The SHA-256 of every regular file under a source directory, by path relative to it (<c>/</c>-separated), in
/// <c>sha256sum</c> format: one <c>HEX  PATH</c> line per file, sorted by path. Symbolic links are not followed.
/// </summary>
internal sealed class SourceManifest(IReadOnlyDictionary<string, string> hashes)
{
    /// <summary>Hex SHA-256 by relative path.</summary>
    public IReadOnlyDictionary<string, string> Hashes { get; } = hashes;

    /// <summary>Hashes every file under <paramref name="root"/> except those under <paramref name="excluded"/> (full paths).</summary>
    public static async Task<SourceManifest> ComputeAsync(string root, IReadOnlyCollection<string> excluded, CancellationToken cancellationToken)
    {
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Files(new DirectoryInfo(root), excluded))
        {
            var relative = Path.GetRelativePath(root, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (relative.Contains('\n', StringComparison.Ordinal))
            {
                throw new CliException($"the source file name '{relative}' contains a line break, which the manifest cannot hold");
            }
            var stream = File.OpenRead(file.FullName);
            await using (stream.ConfigureAwait(false))
            {
                hashes[relative] = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
            }
        }
        return new SourceManifest(hashes);
    }

    /// <summary>The manifest's text.</summary>
    public string Render() => string.Concat(Hashes.Select(pair => $"{pair.Value}  {pair.Key}\n"));

    /// <summary>Parses <see cref="Render"/>'s text; a <see cref="CorruptArchiveException"/> naming the first bad line.</summary>
    public static SourceManifest Parse(string text)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length < 67 || line[64] != ' ' || line[65] != ' ' || !line[..64].All(char.IsAsciiHexDigitLower))
            {
                throw new CorruptArchiveException($"its source manifest is malformed at line {i + 1}");
            }
            hashes[line[66..]] = line[..64];
        }
        return new SourceManifest(hashes);
    }

    /// <summary>How <paramref name="current"/> differs from this (the saved) manifest.</summary>
    public SourceChanges CompareWith(SourceManifest current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var changed = current.Hashes.Where(p => Hashes.TryGetValue(p.Key, out var saved) && saved != p.Value).Select(p => p.Key);
        var added = current.Hashes.Keys.Where(path => !Hashes.ContainsKey(path));
        var removed = Hashes.Keys.Where(path => !current.Hashes.ContainsKey(path));
        return new SourceChanges([.. changed.Order(StringComparer.Ordinal)], [.. added.Order(StringComparer.Ordinal)], [.. removed.Order(StringComparer.Ordinal)]);
    }

    private static IEnumerable<FileInfo> Files(DirectoryInfo directory, IReadOnlyCollection<string> excluded)
    {
        foreach (var entry in directory.EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (entry.LinkTarget is not null || excluded.Contains(entry.FullName) || entry.Name.StartsWith(ArtifactPaths.RestorePrefix, StringComparison.Ordinal))
            {
                continue;
            }
            if (entry is DirectoryInfo child)
            {
                foreach (var file in Files(child, excluded))
                {
                    yield return file;
                }
            }
            else if (entry is FileInfo file)
            {
                yield return file;
            }
        }
    }
}

/// <summary>Source files that differ from the saved manifest: content changed, new, or gone (relative paths, sorted).</summary>
internal sealed record SourceChanges(IReadOnlyList<string> Changed, IReadOnlyList<string> Added, IReadOnlyList<string> Removed);
