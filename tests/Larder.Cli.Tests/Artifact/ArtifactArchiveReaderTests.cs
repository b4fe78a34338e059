using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using Larder.Cli.Commands.Artifact;
using Larder.Nix.Compression;

namespace Larder.Cli.Tests.Artifact;

/// <summary>
/// Archives whose bytes were damaged in storage: whatever the damage turns the tar into, the restore reports the
/// archive as corrupt (the hash check first), never as some other failure.
/// </summary>
public sealed class ArtifactArchiveReaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("larder-archive-reader-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_damaged_source_manifest_is_reported_as_a_hash_mismatch()
    {
        var intact = Tar(("build/marker", "saved"), sources: $"{new string('a', 64)}  src/main.c\n");
        var damaged = Tar(("build/marker", "saved"), sources: $"{new string('a', 60)}\u00e9\u00e9  src/main.c\n");

        var error = await Assert.ThrowsAsync<CorruptArchiveException>(() => ExtractAsync(damaged, intact));

        Assert.Contains($"but the server recorded {Sha256(intact)} ({intact.Length} bytes)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_tar_header_is_reported_as_a_hash_mismatch()
    {
        var intact = Tar(("build/marker", "saved"), sources: $"{new string('a', 64)}  src/main.c\n");
        var damaged = intact.ToArray();
        damaged[100] ^= 0x5a;

        var error = await Assert.ThrowsAsync<CorruptArchiveException>(() => ExtractAsync(damaged, intact));

        Assert.Contains($"but the server recorded {Sha256(intact)}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_source_manifest_with_a_matching_hash_is_corrupt_and_names_the_line()
    {
        var archive = Tar(("build/marker", "saved"), sources: $"{new string('a', 64)}  src/main.c\nnot a manifest line\n");

        var error = await Assert.ThrowsAsync<CorruptArchiveException>(() => ExtractAsync(archive, archive));

        Assert.Equal("its source manifest is malformed at line 2", error.Message);
    }

    [Fact]
    public async Task An_intact_archive_extracts_its_directories_and_manifest()
    {
        var archive = Tar(("build/marker", "saved"), sources: $"{new string('b', 64)}  src/main.c\n");

        var extracted = await ExtractAsync(archive, archive);

        Assert.Equal(["build"], extracted.Dirs);
        Assert.Equal(new string('b', 64), extracted.Sources.Hashes["src/main.c"]);
        Assert.Equal(1, extracted.Files);
        Assert.Equal("saved", File.ReadAllText(Path.Combine(_folder, "out", "build", "marker")));
    }

    private async Task<ExtractedArchive> ExtractAsync(byte[] tar, byte[] recorded)
    {
        var target = Directory.CreateDirectory(Path.Combine(_folder, "out")).FullName;
        using var compressed = new MemoryStream();
        await using (var zstd = Codecs.Compress(compressed, CompressionKind.Zstd, 3, leaveOpen: true))
        {
            await zstd.WriteAsync(tar);
        }
        compressed.Position = 0;
        return await ArtifactArchiveReader.ExtractAsync(compressed, target, Sha256(recorded), recorded.Length, CancellationToken.None);
    }

    private static byte[] Tar((string Name, string Text) file, string sources)
    {
        using var buffer = new MemoryStream();
        using (var tar = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            Write(tar, ArtifactPaths.DirsEntry, "build\n");
            Write(tar, ArtifactPaths.SourcesEntry, sources);
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "build"));
            Write(tar, file.Name, file.Text);
        }
        return buffer.ToArray();
    }

    private static void Write(TarWriter tar, string name, string text) =>
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
