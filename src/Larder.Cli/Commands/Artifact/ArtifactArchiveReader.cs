using System.Formats.Tar;
using System.Text;
using Larder.Nix.Compression;
using Larder.Nix.Hashing;
using Larder.Nix.Streams;

namespace Larder.Cli.Commands.Artifact;

/// <summary>
/// Extracts an artifact archive (as <see cref="ArtifactArchiveWriter"/> writes it, zstd-compressed) into a fresh
/// folder, refusing any entry that could land outside it: absolute names, <c>..</c>, entries below a symbolic link
/// the archive made, entries outside the saved directories, and entry types other than directories, regular files
/// and symbolic links. Reads the stream to its end and checks its SHA-256 and size: an archive that fails any check is
/// an <see cref="CorruptArchiveException"/>, and the caller throws the folder away.
/// </summary>
internal static class ArtifactArchiveReader
{
    /// <summary>Largest manifest entry read into memory.</summary>
    private const int MaxMetaEntry = 64 << 20;

    /// <summary>Extracts <paramref name="zstdBody"/> into the existing empty folder <paramref name="target"/>.</summary>
    public static async Task<ExtractedArchive> ExtractAsync(
        Stream zstdBody, string target, string expectedSha256, long expectedSize, CancellationToken cancellationToken)
    {
        try
        {
            var decompressed = Codecs.Decompress(zstdBody, CompressionKind.Zstd, leaveOpen: true);
            await using (decompressed.ConfigureAwait(false))
            {
                var hashing = new HashingStream(decompressed, HashKind.Sha256, leaveOpen: true);
                await using (hashing.ConfigureAwait(false))
                {
                    ArchiveEntries entries;
                    try
                    {
                        entries = await ExtractEntriesAsync(hashing, target, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // Damaged bytes can make the tar fail in any way: the hash says whether it was damage.
                        await CheckHashAsync(hashing, expectedSha256, expectedSize, cancellationToken).ConfigureAwait(false);
                        throw;
                    }
                    await CheckHashAsync(hashing, expectedSha256, expectedSize, cancellationToken).ConfigureAwait(false);
                    // Parsed only once the hash matched, so a damaged archive is reported as damaged, not as a bad manifest.
                    return new ExtractedArchive(entries.Dirs, SourceManifest.Parse(entries.SourcesText), entries.Files);
                }
            }
        }
        catch (CompressionException e)
        {
            throw new CorruptArchiveException($"it is not valid zstd data: {e.Reason}", e);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or DecoderFallbackException or ArgumentException or OverflowException)
        {
            throw new CorruptArchiveException($"it is not a valid tar: {e.Message}", e);
        }
        catch (IOException e) when (e is not CorruptArchiveException)
        {
            throw new CorruptArchiveException($"reading it failed: {e.Message}", e);
        }
    }

    /// <summary>Reads the rest of the archive and throws if its SHA-256 or size is not what the server recorded.</summary>
    private static async Task CheckHashAsync(HashingStream hashing, string expectedSha256, long expectedSize, CancellationToken cancellationToken)
    {
        await hashing.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        var sha256 = hashing.GetHash().ToHex();
        if (sha256 != expectedSha256 || hashing.Length != expectedSize)
        {
            throw new CorruptArchiveException(
                $"its SHA-256 is {sha256} ({hashing.Length} bytes), but the server recorded {expectedSha256} ({expectedSize} bytes)");
        }
    }

    private static async Task<ArchiveEntries> ExtractEntriesAsync(Stream tarStream, string target, CancellationToken cancellationToken)
    {
        var tar = new TarReader(tarStream, leaveOpen: true);
        await using (tar.ConfigureAwait(false))
        {
            string? dirsText = null;
            string? sourcesText = null;
            var symlinks = new HashSet<string>(StringComparer.Ordinal);
            var files = 0;
            while (await tar.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
                {
                    continue;
                }
                var name = entry.Name.TrimEnd('/');
                if (ArtifactPaths.Problem(entry.Name) is { } problem)
                {
                    throw new CorruptArchiveException($"its entry '{entry.Name}' has {problem}");
                }
                if (name == ArtifactPaths.DirsEntry)
                {
                    dirsText = await ReadTextAsync(entry, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                if (name == ArtifactPaths.SourcesEntry)
                {
                    sourcesText = await ReadTextAsync(entry, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                var dirs = ParseDirs(dirsText);
                if (!dirs.Any(dir => name == dir || name.StartsWith(dir + "/", StringComparison.Ordinal)))
                {
                    throw new CorruptArchiveException($"its entry '{name}' is outside the saved directories");
                }
                if (Ancestors(name).FirstOrDefault(symlinks.Contains) is { } link)
                {
                    throw new CorruptArchiveException($"its entry '{name}' lies below the symbolic link '{link}'");
                }
                var path = Path.Combine(target, name);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        Directory.CreateDirectory(path);
                        break;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                        await entry.ExtractToFileAsync(path, overwrite: false, cancellationToken).ConfigureAwait(false);
                        files++;
                        break;
                    case TarEntryType.SymbolicLink:
                        File.CreateSymbolicLink(path, entry.LinkName);
                        symlinks.Add(name);
                        break;
                    default:
                        throw new CorruptArchiveException($"its entry '{name}' is a {entry.EntryType}, which artifact archives do not hold");
                }
            }
            if (dirsText is null || sourcesText is null)
            {
                throw new CorruptArchiveException($"it lacks {ArtifactPaths.DirsEntry} or {ArtifactPaths.SourcesEntry}");
            }
            return new ArchiveEntries(ParseDirs(dirsText), sourcesText, files);
        }
    }

    private static IReadOnlyList<string> ParseDirs(string? text)
    {
        if (text is null)
        {
            throw new CorruptArchiveException($"its first entry is not {ArtifactPaths.DirsEntry}");
        }
        var dirs = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var dir in dirs)
        {
            if (ArtifactPaths.Problem(dir) is { } problem || dir.StartsWith(ArtifactPaths.MetaFolder, StringComparison.Ordinal))
            {
                throw new CorruptArchiveException($"its saved directory '{dir}' is not a safe relative path");
            }
        }
        return dirs;
    }

    private static IEnumerable<string> Ancestors(string name)
    {
        for (var slash = name.LastIndexOf('/'); slash > 0; slash = name.LastIndexOf('/', slash - 1))
        {
            yield return name[..slash];
        }
    }

    private static async Task<string> ReadTextAsync(TarEntry entry, CancellationToken cancellationToken)
    {
        if (entry.Length > MaxMetaEntry || entry.DataStream is not { } data)
        {
            throw new CorruptArchiveException($"its entry '{entry.Name}' is missing or larger than {MaxMetaEntry} bytes");
        }
        using var buffer = new MemoryStream();
        await data.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.ToArray());
    }
}

/// <summary>What an artifact archive held: the saved directories (relative), the source manifest, and how many regular files.</summary>
internal sealed record ExtractedArchive(IReadOnlyList<string> Dirs, SourceManifest Sources, int Files);

/// <summary>The saved directories, the source manifest's unparsed text, and how many regular files were extracted.</summary>
internal sealed record ArchiveEntries(IReadOnlyList<string> Dirs, string SourcesText, int Files);

/// <summary>An archive that failed a check while being restored; the message says which.</summary>
internal sealed class CorruptArchiveException(string message, Exception? inner = null) : IOException(message, inner);
