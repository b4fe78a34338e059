using Larder.Nix.Hashing;
using Larder.Nix.Nar;
using Larder.Testing;

namespace Larder.Nix.Tests.Nar;

public sealed class NarWriterTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(NarDumper.BufferSize - 104)] // the contents end exactly where the writer's buffer ends
    [InlineData(NarDumper.BufferSize - 103)] // one byte too many: streamed in chunks
    [InlineData(NarDumper.BufferSize - 120)] // the closing strings do not fit after the contents
    [InlineData(3_145_735)] // several chunks, odd length (padding)
    [InlineData(17_000_003)]
    public async Task File_of_any_size_dumps_like_nix_store_dump(int size)
    {
        using var temp = new TempDirectory("larder-nar-writer");
        var file = Path.Combine(temp.Path, "file");
        var contents = new byte[size];
        new Random(size).NextBytes(contents);
        await File.WriteAllBytesAsync(file, contents);
        await AssertDumpsLikeNixAsync(file, temp.Path);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // large read-only files (store files) are mapped instead of read
    public async Task Tree_of_small_and_large_files_dumps_like_nix_store_dump(bool readOnly)
    {
        using var temp = new TempDirectory("larder-nar-writer");
        var tree = Directory.CreateDirectory(Path.Combine(temp.Path, "tree")).FullName;
        var sizes = new[] { 10, NarDumper.BufferSize - 1, NarDumper.BufferSize, 7, NarDumper.BufferSize + 1, 3_145_735, 0, 5_000 };
        var files = new List<string>();
        for (var i = 0; i < sizes.Length; i++)
        {
            var directory = Directory.CreateDirectory(Path.Combine(tree, $"d{i % 3}")).FullName;
            var contents = new byte[sizes[i]];
            new Random(i).NextBytes(contents);
            var file = Path.Combine(directory, $"f{i}");
            await File.WriteAllBytesAsync(file, contents);
            files.Add(file);
        }
        if (readOnly)
        {
            files.ForEach(f => File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead));
        }
        await AssertDumpsLikeNixAsync(tree, temp.Path);
    }

    [Fact]
    public async Task Nested_files_ending_anywhere_near_the_buffer_end_round_trip()
    {
        using var temp = new TempDirectory("larder-nar-writer");
        var deep = Directory.CreateDirectory(Path.Combine(temp.Path, "tree", "a", "b", "c")).FullName;
        var file = Path.Combine(deep, "file");
        // The contents of tree/a/b/c/file start 640 bytes into the NAR: sweep sizes that end them near the buffer end.
        for (var size = NarDumper.BufferSize - 720; size <= NarDumper.BufferSize - 560; size++)
        {
            await File.WriteAllBytesAsync(file, new byte[size]);

            var nar = new MemoryStream();
            await NarWriter.WriteAsync(Path.Combine(temp.Path, "tree"), nar);
            var parsed = await NarParser.ParseAsync(new MemoryStream(nar.ToArray()), NullVisitor.Instance);

            Assert.Equal(nar.Length, parsed.NarSize);
            Assert.Equal(640 + size + (8 - size % 8) % 8 + 16 * 9, nar.Length);
        }
    }

    [Fact]
    public async Task Writer_stops_reading_when_the_output_fails()
    {
        using var temp = new TempDirectory("larder-nar-writer");
        await File.WriteAllBytesAsync(Path.Combine(temp.Path, "big"), new byte[5 * NarDumper.BufferSize]);

        var e = await Assert.ThrowsAsync<IOException>(() => NarWriter.WriteAsync(temp.Path, new FailingStream()));

        Assert.Equal("disk full", e.Message);
    }

    [Fact]
    public async Task Writer_stops_when_the_output_fails_while_writing_a_mapped_file()
    {
        using var temp = new TempDirectory("larder-nar-writer");
        var big = Path.Combine(temp.Path, "big");
        await File.WriteAllBytesAsync(big, new byte[5 * NarDumper.BufferSize]);
        File.SetUnixFileMode(big, UnixFileMode.UserRead);
        await File.WriteAllBytesAsync(Path.Combine(temp.Path, "small"), new byte[100]);

        // Buffered writes are at most BufferSize long: only the mapped file's 4 MiB write fails.
        var e = await Assert.ThrowsAsync<IOException>(() => NarWriter.WriteAsync(temp.Path, new FailingStream(failAbove: NarDumper.BufferSize)));

        Assert.Equal("disk full", e.Message);
    }

    [Fact]
    public async Task Writer_refuses_a_fifo_without_opening_it()
    {
        using var temp = new TempDirectory("larder-nar-writer");
        var fifo = Path.Combine(temp.Path, "pipe");
        (await ProcessRunner.RunAsync("mkfifo", [fifo])).EnsureSuccess();

        var e = await Assert.ThrowsAsync<IOException>(() => NarWriter.WriteAsync(temp.Path, Stream.Null));

        Assert.Contains($"file '{fifo}' has an unsupported type", e.Message);
    }

    [Fact]
    public async Task Writer_names_a_file_name_that_is_not_utf8()
    {
        using var temp = new TempDirectory("larder-nar-writer");
        (await ProcessRunner.RunAsync("sh", ["-c", "printf x > \"$1/$(printf 'bad\\377name')\"", "sh", temp.Path])).EnsureSuccess();

        var e = await Assert.ThrowsAsync<IOException>(() => NarWriter.WriteAsync(temp.Path, Stream.Null));

        Assert.EndsWith("its name is not valid UTF-8", e.Message);
        // .NET cannot name the file either, so TempDirectory could not clean it up.
        (await ProcessRunner.RunAsync("sh", ["-c", "rm -f \"$1\"/bad*", "sh", temp.Path])).EnsureSuccess();
    }

    [Fact]
    public async Task Writer_reports_a_missing_path()
    {
        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => NarWriter.WriteAsync("/nonexistent/larder-nar", Stream.Null));

        Assert.Contains("cannot stat '/nonexistent/larder-nar'", e.Message);
    }

    [Fact]
    public async Task Symlink_root_is_stored_not_followed()
    {
        using var temp = new TempDirectory("larder-nar-writer");
        var link = Path.Combine(temp.Path, "link");
        File.CreateSymbolicLink(link, "/etc");

        var result = await NarHashing.HashPathAsync(link);

        var expected = NarBytes.Of("nix-archive-1", "(", "type", "symlink", "target", "/etc", ")");
        Assert.Equal(expected.Length, result.NarSize);
        Assert.Equal(NixHash.Compute(HashKind.Sha256, expected), result.NarHash);
    }

    /// <summary>An output that fails on its first write.</summary>
    /// <summary>Our NAR of <paramref name="path"/> is byte-identical to <c>nix-store --dump</c>'s (written under <paramref name="scratch"/>).</summary>
    private static async Task AssertDumpsLikeNixAsync(string path, string scratch)
    {
        var peer = await NixPeer.GetAsync();
        var nixNar = Path.Combine(scratch, "nix.nar");
        var dump = await ProcessRunner.RunAsync("sh", ["-c", "nix-store --dump \"$1\" > \"$2\"", "sh", path, nixNar],
            new ProcessOptions { Environment = peer.Environment, Timeout = TimeSpan.FromMinutes(1) });
        dump.EnsureSuccess();

        var ours = new MemoryStream();
        await NarWriter.WriteAsync(path, ours);

        Assert.True((await File.ReadAllBytesAsync(nixNar)).AsSpan().SequenceEqual(ours.ToArray()));
    }

    /// <summary>Fails every write longer than <paramref name="failAbove"/> bytes (by default, every write).</summary>
    private sealed class FailingStream(int failAbove = -1) : MemoryStream
    {
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (buffer.Length > failAbove)
            {
                throw new IOException("disk full");
            }
            base.Write(buffer);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
    }
}
