using Larder.Nix.Nar;
using Larder.Testing;

namespace Larder.Nix.Tests.Nar;

/// <summary>
/// A corpus of malformed archives, built by hand or by mutating valid ones: each must be rejected with the exact
/// reason and offset, and a restore of it must leave nothing behind, inside or outside the target.
/// </summary>
public sealed class NarMalformedTests
{
    private static readonly byte[] NulName = [(byte)'a', 0, (byte)'b'];
    private static readonly byte[] BadUtf8 = [(byte)'a', 0xff, (byte)'b'];

    /// <summary>name, archive, expected offset, expected reason.</summary>
    public static TheoryData<string, byte[], long, string> Corpus() => new()
    {
        { "empty input", [], 0, "unexpected end of input (truncated archive)" },
        { "bad magic", NarBytes.Of("nix-archive-2", "(", "type", "regular", "contents", "", ")"), 0,
            "bad magic 'nix-archive-2': not a NAR archive (expected 'nix-archive-1')" },
        { "not a nar at all", System.Text.Encoding.ASCII.GetBytes("<html>hello world</html>"), 0,
            "magic length 7307159030822365244 exceeds the limit of 64 bytes" },
        { "missing open paren", NarBytes.Of("nix-archive-1", "type", "regular"), 24, "expected '(', found 'type'" },
        { "unknown node type", NarBytes.Of("nix-archive-1", "(", "type", "fifo", ")"), 56, "unknown node type 'fifo'" },
        { "unknown token in regular file", NarBytes.Of("nix-archive-1", "(", "type", "regular", "size", 1UL, ")"), 72,
            "expected 'contents' in regular file, found 'size'" },
        { "executable marker not empty", NarBytes.Of("nix-archive-1", "(", "type", "regular", "executable", "yes", "contents", "", ")"), 96,
            "'executable' must be followed by an empty string, found 'yes'" },
        { "contents before executable", NarBytes.Of("nix-archive-1", "(", "type", "regular", "contents", "", "executable", "", ")"), 96,
            "expected ')', found 'executable'" },
        { "file size over 2^63", NarBytes.Of("nix-archive-1", "(", "type", "regular", "contents", ulong.MaxValue), 88,
            "file size 18446744073709551615 is too large" },
        { "truncated contents", NarBytes.Of("nix-archive-1", "(", "type", "regular", "contents", 100UL, new NarBytes.Raw(new byte[10])), 106,
            "unexpected end of input (truncated archive)" },
        { "huge keyword length", NarBytes.Of("nix-archive-1", "(", "type", ulong.MaxValue), 56,
            "node type length 18446744073709551615 exceeds the limit of 64 bytes" },
        { "huge name length", NarBytes.Of("nix-archive-1", "(", "type", "directory", "entry", "(", "name", 1UL << 40), 128,
            "entry name length 1099511627776 exceeds the limit of 1024 bytes" },
        { "name over 1024 bytes", NarBytes.DirectoryOf(new string('n', 1025)), 128,
            "entry name length 1025 exceeds the limit of 1024 bytes" },
        { "symlink target over 4096 bytes", NarBytes.Of("nix-archive-1", "(", "type", "symlink", "target", new string('t', 4097), ")"), 88,
            "symlink target length 4097 exceeds the limit of 4096 bytes" },
        { "empty symlink target", NarBytes.Of("nix-archive-1", "(", "type", "symlink", "target", "", ")"), 88, "symlink target is empty" },
        { "NUL in symlink target", NarBytes.Of("nix-archive-1", "(", "type", "symlink", "target", NulName, ")"), 88,
            "symlink target 'a\\x00b' contains a NUL byte" },
        { "empty name", NarBytes.DirectoryOf(""), 128, "entry name is empty" },
        { "dot name", NarBytes.DirectoryOf("."), 128, "entry name '.' is not allowed" },
        { "dotdot name", NarBytes.DirectoryOf(".."), 128, "entry name '..' is not allowed" },
        { "slash in name", NarBytes.DirectoryOf("a/b"), 128, "entry name 'a/b' contains '/'" },
        { "absolute name", NarBytes.DirectoryOf("/etc"), 128, "entry name '/etc' contains '/'" },
        { "NUL in name", NarBytes.DirectoryOf(NulName), 128, "entry name 'a\\x00b' contains a NUL byte" },
        { "name not UTF-8", NarBytes.DirectoryOf(BadUtf8), 128, "entry name 'a\\xffb' is not valid UTF-8" },
        { "unsorted entries", NarBytes.DirectoryOf("b", "a"), 320, "entry 'a' is not sorted after 'b'" },
        { "duplicate entries", NarBytes.DirectoryOf("a", "a"), 320, "duplicate entry name 'a'" },
        { "unsorted by bytes, not UTF-16", NarBytes.DirectoryOf("\U0001F389", "\uFF01"), 320,
            "entry '\\xef\\xbc\\x81' is not sorted after '\\xf0\\x9f\\x8e\\x89'" },
        { "garbage token in directory", NarBytes.Of("nix-archive-1", "(", "type", "directory", "file", ")"), 80,
            "expected 'entry' or ')' in directory, found 'file'" },
        { "entry without node keyword", NarBytes.Of("nix-archive-1", "(", "type", "directory", "entry", "(", "name", "a", "(", ")"), 144,
            "expected 'node', found '('" },
        { "trailing data", [.. NarBytes.Of("nix-archive-1", "(", "type", "regular", "contents", "", ")"), .. new byte[8]], 112,
            "trailing data after the end of the archive" },
        { "two roots", [.. NarBytes.Of("nix-archive-1", "(", "type", "regular", "contents", "", ")"), .. NarBytes.Of("(", "type", "regular", "contents", "", ")")], 112,
            "trailing data after the end of the archive" },
        { "missing close of directory", NarBytes.Of("nix-archive-1", "(", "type", "directory"), 80, "unexpected end of input (truncated archive)" },
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task Parse_rejects_malformed_archive_with_offset_and_reason(string name, byte[] nar, long offset, string reason)
    {
        var e = await Assert.ThrowsAsync<NarFormatException>(() => NarParser.ParseAsync(new MemoryStream(nar), NullVisitor.Instance));

        Assert.Equal((offset, reason), (e.Offset, e.Reason));
        Assert.Equal($"invalid NAR at byte {offset}: {reason}", e.Message);
        Assert.NotEmpty(name);
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task Restore_of_malformed_archive_leaves_nothing_behind(string name, byte[] nar, long offset, string reason)
    {
        using var sandbox = new TempDirectory("larder-nar-malformed");
        var target = Path.Combine(sandbox.Path, "inner", "target");

        var e = await Assert.ThrowsAsync<NarFormatException>(() => NarRestorer.RestoreAsync(new MemoryStream(nar), target));

        Assert.Equal((offset, reason), (e.Offset, e.Reason));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(sandbox.Path, "inner")));
        Assert.Equal([Path.Combine(sandbox.Path, "inner")], Directory.EnumerateFileSystemEntries(sandbox.Path));
        Assert.NotEmpty(name);
    }

    /// <summary>
    /// Valid archives whose names Linux cannot hold, kept from fuzzing the restore (Fixtures/fuzz/nar-restore, also
    /// seeds of <c>eng/fuzz.sh</c>): the file system's limit is a <see cref="PathTooLongException"/> wherever it is hit
    /// (a file or a directory), and what was restored is removed.
    /// </summary>
    [Theory]
    [InlineData("name-too-long.nar")] // an entry name of 300 bytes; Linux allows 255
    [InlineData("path-too-long.nar")] // 40 nested directories with 200-byte names; Linux paths are at most 4096 bytes
    public async Task Restore_of_names_too_long_for_the_file_system_fails_cleanly(string fixture)
    {
        using var sandbox = new TempDirectory("larder-nar-malformed");
        var target = Path.Combine(sandbox.Path, "target");
        var nar = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "fuzz", "nar-restore", fixture));
        await NarParser.ParseAsync(new MemoryStream(nar), NullVisitor.Instance);

        await Assert.ThrowsAsync<PathTooLongException>(() => NarRestorer.RestoreAsync(new MemoryStream(nar), target));

        Assert.Empty(Directory.EnumerateFileSystemEntries(sandbox.Path));
    }

    [Fact]
    public async Task Restore_rejects_dotdot_entry_before_writing_outside_the_target()
    {
        using var sandbox = new TempDirectory("larder-nar-malformed");
        var target = Path.Combine(sandbox.Path, "target");
        var nar = NarBytes.Of("nix-archive-1", "(", "type", "directory",
            "entry", "(", "name", "a", "node", "(", "type", "regular", "contents", "first", ")", ")",
            "entry", "(", "name", "..", "node", "(", "type", "directory",
            "entry", "(", "name", "escaped", "node", "(", "type", "regular", "contents", "pwned", ")", ")", ")", ")", ")");

        var e = await Assert.ThrowsAsync<NarFormatException>(() => NarRestorer.RestoreAsync(new MemoryStream(nar), target));

        Assert.Equal("entry name '..' is not allowed", e.Reason);
        Assert.Empty(Directory.EnumerateFileSystemEntries(sandbox.Path));
    }

    [Fact]
    public async Task Every_truncation_of_a_valid_archive_is_rejected_at_its_end()
    {
        var nar = NarFixtures.Nar("mixed");
        for (var length = 0; length < nar.Length; length++)
        {
            var e = await Assert.ThrowsAsync<NarFormatException>(
                () => NarParser.ParseAsync(new MemoryStream(nar, 0, length), NullVisitor.Instance));
            Assert.Equal((length, "unexpected end of input (truncated archive)"), (e.Offset, e.Reason));
        }
    }

    [Fact]
    public async Task Every_non_zero_padding_byte_is_rejected_where_it_is()
    {
        var nar = NarFixtures.Nar("padding");
        var rejected = 0;
        for (var i = 0; i < nar.Length; i++)
        {
            if (nar[i] != 0 || !IsPaddingByte(nar, i))
            {
                continue;
            }
            var mutated = (byte[])nar.Clone();
            mutated[i] = 0x20;
            var e = await Assert.ThrowsAsync<NarFormatException>(
                () => NarParser.ParseAsync(new MemoryStream(mutated), NullVisitor.Instance));
            Assert.Equal((i, "non-zero padding byte"), (e.Offset, e.Reason));
            rejected++;
        }
        Assert.True(rejected > 50, $"only {rejected} padding bytes found");
    }

    [Fact]
    public async Task Restore_refuses_a_non_empty_target_directory()
    {
        using var sandbox = new TempDirectory("larder-nar-malformed");
        File.WriteAllText(Path.Combine(sandbox.Path, "existing"), "keep");

        var e = await Assert.ThrowsAsync<IOException>(() => NarRestorer.RestoreAsync(new MemoryStream(NarFixtures.Nar("mixed")), sandbox.Path));

        Assert.Contains("the directory is not empty", e.Message);
        Assert.Equal("keep", File.ReadAllText(Path.Combine(sandbox.Path, "existing")));
    }

    [Fact]
    public async Task Restore_refuses_a_target_that_is_a_symlink()
    {
        using var sandbox = new TempDirectory("larder-nar-malformed");
        var elsewhere = Directory.CreateDirectory(Path.Combine(sandbox.Path, "elsewhere")).FullName;
        var link = Path.Combine(sandbox.Path, "link");
        File.CreateSymbolicLink(link, elsewhere);

        var e = await Assert.ThrowsAsync<IOException>(() => NarRestorer.RestoreAsync(new MemoryStream(NarFixtures.Nar("mixed")), link));

        Assert.Contains("already exists", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));
    }

    [Fact]
    public async Task Restore_into_an_existing_empty_directory_fills_it()
    {
        using var sandbox = new TempDirectory("larder-nar-malformed");

        await NarRestorer.RestoreAsync(new MemoryStream(NarFixtures.Nar("mixed")), sandbox.Path);

        Assert.Equal("readme\n", File.ReadAllText(Path.Combine(sandbox.Path, "share/doc/pkg/README")));
    }

    /// <summary>True if byte <paramref name="index"/> is padding, found by walking the archive's strings.</summary>
    private static bool IsPaddingByte(byte[] nar, int index)
    {
        // File contents are a u64 length, bytes and padding, just like a string: one walk covers the whole archive.
        var position = 0;
        while (position < nar.Length)
        {
            var length = (long)BitConverter.ToUInt64(nar, position);
            var end = position + 8 + length;
            var padded = end + (8 - length % 8) % 8;
            if (index >= end && index < padded)
            {
                return true;
            }
            position = (int)padded;
        }
        return false;
    }
}
