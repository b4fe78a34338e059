using System.CommandLine;
using Larder.Cli.Infrastructure;
using Larder.Cli.Output;
using Larder.Contracts.Caches;

namespace Larder.Cli.Commands.Artifact;

/// <summary><c>larder artifact save CACHE KEY DIR… [--sources DIR]</c>: archive build directories with a source manifest and upload them.</summary>
internal static class ArtifactSaveCommand
{
    public static Command Create()
    {
        var cache = ArtifactCommand.CacheArgument();
        var key = ArtifactCommand.KeyArgument();
        var dirs = new Argument<string[]>("DIR") { Description = "Directories to save (below the current directory).", Arity = ArgumentArity.OneOrMore };
        var sources = new Option<string?>("--sources") { Description = "The source directory whose files the manifest lists (default: the current directory)." };
        var connection = new ArtifactConnection();
        var command = new Command("save", """
            Save build directories (e.g. build/ or dist/) under KEY: a tar of them, with the SHA-256 of every source file
            (the files under --sources, except the saved directories), compressed and uploaded (needs write permission).
            The server keeps the newest uploads per key (see `larder artifact retention`).
            """)
        {
            cache, key, dirs, sources,
        };
        connection.AddTo(command);
        command.SetHandler(async (parse, ct) =>
        {
            var keyName = ArtifactCommand.CheckKey(parse.GetRequiredValue(key));
            var root = Directory.GetCurrentDirectory();
            var saved = CheckDirs(root, parse.GetRequiredValue(dirs));
            var sourceRoot = Path.GetFullPath(parse.GetValue(sources) ?? ".");
            var manifest = await SourceManifest.ComputeAsync(sourceRoot, [.. saved.Select(dir => Path.Combine(root, dir))], ct).ConfigureAwait(false);
            var archive = Path.Combine(Path.GetTempPath(), $"larder-artifact-{Guid.NewGuid():N}.tar.zst");
            try
            {
                var written = await ArtifactArchiveWriter.WriteAsync(root, saved, manifest, archive, ct).ConfigureAwait(false);
                var (target, client) = connection.Open(parse, parse.GetRequiredValue(cache));
                using var _ = client;
                var stored = await client.SaveArtifactAsync(target.Cache, keyName, archive, written.Sha256, ct).ConfigureAwait(false);
                Console.Out.WriteLine(
                    $"saved artifact '{keyName}' to cache '{target.Cache}': {string.Join(", ", saved)} ({written.Files} files, " +
                    $"{ByteSizeText.Format(stored.Size)}), manifest of {manifest.Hashes.Count} source files");
                return 0;
            }
            finally
            {
                File.Delete(archive);
            }
        });
        return command;
    }

    /// <summary>The directories relative to <paramref name="root"/>, each existing, none inside another.</summary>
    private static List<string> CheckDirs(string root, IReadOnlyList<string> dirs)
    {
        var relative = new List<string>();
        foreach (var dir in dirs)
        {
            var name = ArtifactPaths.RelativeInside(root, dir);
            if (!Directory.Exists(Path.Combine(root, name)))
            {
                throw new CliException($"'{dir}' is not a directory");
            }
            if (name.StartsWith(ArtifactPaths.MetaFolder, StringComparison.Ordinal))
            {
                throw new CliException($"'{dir}' is reserved for the archive's own entries");
            }
            if (relative.FirstOrDefault(other => other == name || name.StartsWith(other + "/", StringComparison.Ordinal) || other.StartsWith(name + "/", StringComparison.Ordinal)) is { } overlap)
            {
                throw new CliException($"'{dir}' overlaps '{overlap}': give each directory once");
            }
            relative.Add(name);
        }
        return relative;
    }
}
