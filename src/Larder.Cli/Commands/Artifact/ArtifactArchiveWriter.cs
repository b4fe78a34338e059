using System.Formats.Tar;
using System.Text;
using Larder.Nix.Compression;
using Larder.Nix.Hashing;
using Larder.Nix.Streams;

namespace Larder.Cli.Commands.Artifact;

/// <summary>
/// Writes an artifact archive: a PAX tar whose first entries are <see cref="ArtifactPaths.DirsEntry"/> and
/// <see cref="ArtifactPaths.SourcesEntry"/>, then the saved directories (directories, regular files and symbolic
/// links, in name order), compressed with zstd into a file. The SHA-256 is that of the uncompressed tar, computed as it
/// is written, so the archive is read once.
/// </summary>
internal static class ArtifactArchiveWriter
{
    /// <summary>zstd level of the upload (the server stores the decompressed tar in its own chunks).</summary>
    private const int ZstdLevel = 3;

    /// <summary>Writes the archive of <paramref name="dirs"/> (relative to <paramref name="root"/>) to <paramref name="zstdFile"/>.</summary>
    public static async Task<WrittenArchive> WriteAsync(
        string root, IReadOnlyList<string> dirs, SourceManifest sources, string zstdFile, CancellationToken cancellationToken)
    {
        var file = new FileStream(zstdFile, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            var compressed = Codecs.Compress(file, CompressionKind.Zstd, ZstdLevel, leaveOpen: true);
            await using (compressed.ConfigureAwait(false))
            {
                var hashing = new HashingStream(compressed, HashKind.Sha256, leaveOpen: true);
                await using (hashing.ConfigureAwait(false))
                {
                    var files = 0;
                    var tar = new TarWriter(hashing, TarEntryFormat.Pax, leaveOpen: true);
                    await using (tar.ConfigureAwait(false))
                    {
                        await WriteTextAsync(tar, ArtifactPaths.DirsEntry, string.Concat(dirs.Select(dir => dir + "\n")), cancellationToken).ConfigureAwait(false);
                        await WriteTextAsync(tar, ArtifactPaths.SourcesEntry, sources.Render(), cancellationToken).ConfigureAwait(false);
                        foreach (var dir in dirs)
                        {
                            files += await WriteTreeAsync(tar, Path.Combine(root, dir), dir, cancellationToken).ConfigureAwait(false);
                        }
                    }
                    return new WrittenArchive(hashing.GetHash().ToHex(), hashing.Length, files);
                }
            }
        }
    }

    private static async Task WriteTextAsync(TarWriter tar, string name, string text, CancellationToken cancellationToken)
    {
        using var data = new MemoryStream(Encoding.UTF8.GetBytes(text));
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = data, ModificationTime = DateTimeOffset.UnixEpoch };
        await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes <paramref name="path"/> and, for a real directory, everything below it; returns how many regular files.</summary>
    private static async Task<int> WriteTreeAsync(TarWriter tar, string path, string name, CancellationToken cancellationToken)
    {
        await tar.WriteEntryAsync(path, name, cancellationToken).ConfigureAwait(false);
        var info = new DirectoryInfo(path);
        if (!info.Exists || info.LinkTarget is not null)
        {
            return File.Exists(path) && new FileInfo(path).LinkTarget is null ? 1 : 0;
        }
        var files = 0;
        foreach (var child in info.EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            files += await WriteTreeAsync(tar, child.FullName, $"{name}/{child.Name}", cancellationToken).ConfigureAwait(false);
        }
        return files;
    }
}

/// <summary>What <see cref="ArtifactArchiveWriter"/> wrote: the tar's SHA-256 (hex) and size, and how many regular files it holds.</summary>
internal sealed record WrittenArchive(string Sha256, long Size, int Files);
