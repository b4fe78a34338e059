using System.CommandLine;
using Larder.Cli.Infrastructure;

namespace Larder.Cli.Commands.Artifact;

/// <summary>
/// <c>larder artifact restore CACHE KEY [--fallback KEY]… [--sources DIR] [--into DIR]</c>: restore saved build
/// directories, then date the sources so that only what changed is rebuilt.
/// </summary>
internal static class ArtifactRestoreCommand
{
    /// <summary>Changed source files printed by name; the rest are counted.</summary>
    private const int NamedChanges = 100;

    public static Command Create()
    {
        var cache = ArtifactCommand.CacheArgument();
        var key = ArtifactCommand.KeyArgument();
        var fallbacks = new Option<string[]>("--fallback") { Description = "Keys to try in order when KEY has no archive (repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var sources = new Option<string?>("--sources") { Description = "The source directory to compare with the saved manifest (default: --into)." };
        var into = new Option<string?>("--into") { Description = "Where the saved directories go (default: the current directory)." };
        var connection = new ArtifactConnection();
        var command = new Command("restore", """
            Restore the newest archive saved under KEY, or else under the first --fallback key that has one (needs read
            permission). The archive is checked against its SHA-256 and extracted to a temporary folder first; only then do
            its directories replace those under --into. Restored files are dated 2000-01-01; source files that changed or
            are new since the save are dated now (unchanged ones stay older than the artifacts), and listed.
            Exit 0 with "cold build" when no key has an archive; non-zero, leaving --into as it was, for a corrupt one.
            """)
        {
            cache, key, fallbacks, sources, into,
        };
        connection.AddTo(command);
        command.SetHandler(async (parse, ct) =>
        {
            var keyName = ArtifactCommand.CheckKey(parse.GetRequiredValue(key));
            var fallbackKeys = (parse.GetValue(fallbacks) ?? []).Select(ArtifactCommand.CheckKey).ToList();
            var intoRoot = Path.GetFullPath(parse.GetValue(into) ?? ".");
            if (!Directory.Exists(intoRoot))
            {
                throw new CliException($"'{intoRoot}' (--into) is not a directory");
            }
            var sourceRoot = Path.GetFullPath(parse.GetValue(sources) ?? intoRoot);
            var (target, client) = connection.Open(parse, parse.GetRequiredValue(cache));
            using var _ = client;
            using var download = await client.OpenArtifactAsync(target.Cache, keyName, fallbackKeys, ct).ConfigureAwait(false);
            if (download is null)
            {
                var tried = string.Join(", ", new[] { keyName }.Concat(fallbackKeys).Select(k => $"'{k}'"));
                Console.Out.WriteLine($"cache '{target.Cache}' has no archive under {tried}: cold build");
                return 0;
            }
            var extracted = await ExtractAsync(download, intoRoot, target.Cache, ct).ConfigureAwait(false);
            var restoredDirs = extracted.Dirs.Select(dir => Path.Combine(intoRoot, dir)).ToList();
            foreach (var dir in restoredDirs)
            {
                ArtifactTimes.AgeTree(dir);
            }
            var current = await SourceManifest.ComputeAsync(sourceRoot, restoredDirs, ct).ConfigureAwait(false);
            var changes = extracted.Sources.CompareWith(current);
            ArtifactTimes.DateSources(sourceRoot, current, changes);
            var via = download.Key == keyName ? "" : $" (fallback for '{keyName}')";
            Console.Out.WriteLine(
                $"restored artifact '{download.Key}'{via} from cache '{target.Cache}': {string.Join(", ", extracted.Dirs)} ({extracted.Files} files)");
            Console.Out.WriteLine($"sources: {changes.Changed.Count} changed, {changes.Added.Count} new, {changes.Removed.Count} removed");
            Print("changed", changes.Changed);
            Print("new", changes.Added);
            Print("removed", changes.Removed);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Extracts into a temporary folder beside the targets, then moves each saved directory into place; a corrupt
    /// archive leaves <paramref name="intoRoot"/> as it was.
    /// </summary>
    private static async Task<ExtractedArchive> ExtractAsync(Client.ArtifactDownload download, string intoRoot, string cache, CancellationToken ct)
    {
        var temporary = Path.Combine(intoRoot, $"{ArtifactPaths.RestorePrefix}{Guid.NewGuid():N}");
        Directory.CreateDirectory(temporary);
        try
        {
            ExtractedArchive extracted;
            try
            {
                extracted = await ArtifactArchiveReader.ExtractAsync(download.Body, temporary, download.Sha256, download.Size, ct).ConfigureAwait(false);
            }
            catch (CorruptArchiveException e)
            {
                throw new CliException(
                    $"the archive under '{download.Key}' in cache '{cache}' is corrupt: {e.Message}; '{intoRoot}' was left as it was",
                    $"delete it with `larder artifact rm {cache} {download.Key}`; the next save replaces it");
            }
            foreach (var dir in extracted.Dirs)
            {
                var destination = Path.Combine(intoRoot, dir);
                if (Directory.Exists(destination) && new DirectoryInfo(destination).LinkTarget is null)
                {
                    Directory.Delete(destination, recursive: true);
                }
                else if (File.Exists(destination) || new FileInfo(destination).LinkTarget is not null)
                {
                    File.Delete(destination);
                }
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                Directory.Move(Path.Combine(temporary, dir), destination);
            }
            return extracted;
        }
        finally
        {
            Directory.Delete(temporary, recursive: true);
        }
    }

    private static void Print(string what, IReadOnlyList<string> paths)
    {
        foreach (var path in paths.Take(NamedChanges))
        {
            Console.Out.WriteLine($"  {what}: {path}");
        }
        if (paths.Count > NamedChanges)
        {
            Console.Out.WriteLine($"  … and {paths.Count - NamedChanges} more {what}");
        }
    }
}
