using Larder.Testing;

namespace Larder.Cli.Tests.Nar;

/// <summary><c>larder nar …</c> as a user runs it, checked against the real Nix on the same input.</summary>
public sealed class NarCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("larder-nar-cli");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Hash_prints_sha256_nix32_like_nix_hash()
    {
        var peer = await NixPeer.GetAsync();
        var tree = MakeTree();

        var ours = (await LarderNarCli.RunAsync("nar", "hash", tree)).EnsureSuccess();
        var nix = await peer.RunNixAsync("nix-hash", "--type", "sha256", "--base32", tree);

        Assert.Equal($"sha256:{nix.Stdout.Trim()}\n", ours.Stdout);
    }

    [Fact]
    public async Task Hash_json_and_size_report_the_nar_size()
    {
        var peer = await NixPeer.GetAsync();
        var tree = MakeTree();
        var nar = Path.Combine(_temp.Path, "nix.nar");
        (await LarderNarCli.RunShellAsync(peer.Environment, "nix-store --dump \"$1\" > \"$2\"", tree, nar)).EnsureSuccess();
        var size = new FileInfo(nar).Length;

        var json = (await LarderNarCli.RunAsync("nar", "hash", "--json", tree)).EnsureSuccess();
        var plain = (await LarderNarCli.RunAsync("nar", "hash", "--size", tree)).EnsureSuccess();

        var hash = plain.Stdout.Split('\n')[0];
        Assert.Equal($"{{\"narHash\":\"{hash}\",\"narSize\":{size}}}\n", json.Stdout);
        Assert.Equal($"{hash}\n{size}\n", plain.Stdout);
    }

    [Fact]
    public async Task Dump_path_is_byte_identical_to_nix_store_dump()
    {
        var peer = await NixPeer.GetAsync();
        var tree = MakeTree();

        var result = await LarderNarCli.RunShellAsync(peer.Environment,
            "nix-store --dump \"$1\" > \"$2/nix.nar\" && larder nar dump-path \"$1\" > \"$2/ours.nar\" && cmp \"$2/nix.nar\" \"$2/ours.nar\"",
            tree, _temp.Path);

        result.EnsureSuccess();
        Assert.True(new FileInfo(Path.Combine(_temp.Path, "ours.nar")).Length > 1000);
    }

    [Theory]
    [InlineData("--long")]
    [InlineData("-l")]
    [InlineData("")]
    public async Task Ls_prints_what_nix_nar_ls_prints(string option)
    {
        var peer = await NixPeer.GetAsync();
        var nar = await DumpWithNixAsync(peer, MakeTree());
        string[] nixArgs = option == "" ? ["nar", "ls", "-R", nar, "/"] : ["nar", "ls", "-R", "--long", nar, "/"];

        var nix = await peer.RunNixAsync("nix", nixArgs);
        var ours = (await LarderNarCli.RunAsync(option == "" ? ["nar", "ls", nar] : ["nar", "ls", option, nar])).EnsureSuccess();

        Assert.Equal(nix.Stdout, ours.Stdout);
    }

    [Theory]
    [InlineData("file")]
    [InlineData("executable")]
    [InlineData("symlink")]
    public async Task Ls_of_a_single_node_nar_prints_what_nix_nar_ls_prints(string kind)
    {
        var peer = await NixPeer.GetAsync();
        var node = Path.Combine(_temp.Path, kind);
        if (kind == "symlink")
        {
            File.CreateSymbolicLink(node, "some/target");
        }
        else
        {
            File.WriteAllText(node, "contents\n");
            File.SetUnixFileMode(node, (UnixFileMode)Convert.ToInt32(kind == "executable" ? "755" : "644", 8));
        }
        var nar = await DumpWithNixAsync(peer, node);

        var nix = await peer.RunNixAsync("nix", "nar", "ls", "-R", "--long", nar, "/");
        var ours = (await LarderNarCli.RunAsync("nar", "ls", "--long", nar)).EnsureSuccess();

        Assert.Equal(nix.Stdout, ours.Stdout);
    }

    [Fact]
    public async Task Ls_json_is_the_listing_nix_copy_writes()
    {
        var peer = await NixPeer.GetAsync();
        var tree = MakeTree();
        var storePath = (await peer.RunNixAsync("nix-store", "--add", tree)).Stdout.Trim();
        var cache = Path.Combine(_temp.Path, "cache");
        await peer.RunNixAsync("nix", "copy", "--to", $"file://{cache}?compression=none&write-nar-listing=true", storePath);
        var nixListing = await File.ReadAllTextAsync(Path.Combine(cache, Path.GetFileName(storePath)[..32] + ".ls"));

        var result = await LarderNarCli.RunShellAsync(peer.Environment, "nix-store --dump \"$1\" | larder nar ls --json -", storePath);

        Assert.Equal(nixListing + "\n", result.EnsureSuccess().Stdout);
    }

    [Theory]
    [InlineData("xz")]
    [InlineData("zstd")]
    [InlineData("bzip2")]
    [InlineData("br")]
    public async Task Ls_and_restore_read_the_compressed_nars_of_a_nix_binary_cache(string compression)
    {
        var peer = await NixPeer.GetAsync();
        var tree = MakeTree();
        var storePath = (await peer.RunNixAsync("nix-store", "--add", tree)).Stdout.Trim();
        var cache = Path.Combine(_temp.Path, "cache");
        await peer.RunNixAsync("nix", "copy", "--to", $"file://{cache}?compression={compression}&write-nar-listing=true", storePath);
        var nixListing = await File.ReadAllTextAsync(Path.Combine(cache, Path.GetFileName(storePath)[..32] + ".ls"));
        var compressedNar = Directory.GetFiles(Path.Combine(cache, "nar")).Single();
        var target = Path.Combine(_temp.Path, "restored");

        var ls = await LarderNarCli.RunAsync("nar", "ls", "--json", compressedNar);
        var restore = await LarderNarCli.RunAsync("nar", "restore", compressedNar, target);

        Assert.Equal(nixListing + "\n", ls.EnsureSuccess().Stdout);
        restore.EnsureSuccess();
        var original = await peer.RunNixAsync("nix-hash", "--type", "sha256", "--base32", tree);
        var restored = await peer.RunNixAsync("nix-hash", "--type", "sha256", "--base32", target);
        Assert.Equal(original.Stdout, restored.Stdout);
    }

    [Fact]
    public async Task Restore_recreates_a_tree_nix_hashes_the_same()
    {
        var peer = await NixPeer.GetAsync();
        var tree = MakeTree();
        var nar = await DumpWithNixAsync(peer, tree);
        var target = Path.Combine(_temp.Path, "restored");

        (await LarderNarCli.RunAsync("nar", "restore", nar, target)).EnsureSuccess();

        var original = await peer.RunNixAsync("nix-hash", "--type", "sha256", "--base32", tree);
        var restored = await peer.RunNixAsync("nix-hash", "--type", "sha256", "--base32", target);
        Assert.Equal(original.Stdout, restored.Stdout);
        Assert.Equal("../bin/run", new FileInfo(Path.Combine(target, "share", "link")).LinkTarget);
    }

    [Fact]
    public async Task Restore_reads_stdin_dash()
    {
        var peer = await NixPeer.GetAsync();
        var nar = await DumpWithNixAsync(peer, MakeTree());
        var target = Path.Combine(_temp.Path, "from-stdin");

        (await LarderNarCli.RunShellAsync(null, "larder nar restore - \"$2\" < \"$1\"", nar, target)).EnsureSuccess();

        Assert.Equal("hello\n", File.ReadAllText(Path.Combine(target, "hello.txt")));
    }

    [Fact]
    public async Task Truncated_nar_fails_with_offset_and_leaves_nothing_restored()
    {
        var peer = await NixPeer.GetAsync();
        var nar = await DumpWithNixAsync(peer, MakeTree());
        var truncated = Path.Combine(_temp.Path, "truncated.nar");
        File.WriteAllBytes(truncated, File.ReadAllBytes(nar)[..500]);
        var target = Path.Combine(_temp.Path, "partial");

        var ls = await LarderNarCli.RunAsync("nar", "ls", "--json", truncated);
        var restore = await LarderNarCli.RunAsync("nar", "restore", truncated, target);

        Assert.Equal(1, ls.ExitCode);
        Assert.Equal($"error: {truncated}: invalid NAR at byte 500: unexpected end of input (truncated archive)\n", ls.Stderr);
        Assert.Equal("", ls.Stdout);
        Assert.Equal(1, restore.ExitCode);
        Assert.Equal($"error: {truncated}: invalid NAR at byte 500: unexpected end of input (truncated archive)\n", restore.Stderr);
        Assert.False(Path.Exists(target));
    }

    public static TheoryData<string[], string> BadInputs => new()
    {
        { ["nar", "hash", "/nonexistent/larder"], "error: no such file or directory: /nonexistent/larder" },
        { ["nar", "dump-path", "/nonexistent/larder"], "error: no such file or directory: /nonexistent/larder" },
        { ["nar", "ls", "/nonexistent/x.nar"], "error: no such file: /nonexistent/x.nar" },
        { ["nar", "ls", "/tmp"], "error: '/tmp' is a directory, not a NAR file" },
        { ["nar", "restore", "/nonexistent/x.nar", "/tmp/larder-never"], "error: no such file: /nonexistent/x.nar" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_fails_with_a_clear_message(string[] args, string firstLine)
    {
        var result = await LarderNarCli.RunAsync(args);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(firstLine, result.Stderr.Split('\n')[0]);
    }

    [Fact]
    public async Task Ls_of_a_file_that_is_not_a_nar_names_the_problem()
    {
        var notNar = Path.Combine(_temp.Path, "hello.txt");
        File.WriteAllText(notNar, "hello, this is text\n");

        var result = await LarderNarCli.RunAsync("nar", "ls", notNar);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"error: {notNar}: invalid NAR at byte 0: magic length ", result.Stderr);
    }

    [Fact]
    public async Task Restore_refuses_a_non_empty_directory()
    {
        var peer = await NixPeer.GetAsync();
        var nar = await DumpWithNixAsync(peer, MakeTree());
        var target = Directory.CreateDirectory(Path.Combine(_temp.Path, "busy")).FullName;
        File.WriteAllText(Path.Combine(target, "keep"), "mine");

        var result = await LarderNarCli.RunAsync("nar", "restore", nar, target);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: cannot restore to '{target}': the directory is not empty\n", result.Stderr);
        Assert.Equal(["keep"], Directory.EnumerateFileSystemEntries(target).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Missing_arguments_are_a_usage_error()
    {
        var result = await LarderNarCli.RunAsync("nar", "restore", "only-one");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("DIR", result.Stderr + result.Stdout);
    }

    private string MakeTree()
    {
        var root = Path.Combine(_temp.Path, "tree");
        Directory.CreateDirectory(Path.Combine(root, "bin"));
        Directory.CreateDirectory(Path.Combine(root, "share", "empty"));
        File.WriteAllText(Path.Combine(root, "hello.txt"), "hello\n");
        File.WriteAllText(Path.Combine(root, "bin", "run"), "#!/bin/sh\necho run\n");
        File.SetUnixFileMode(Path.Combine(root, "bin", "run"), (UnixFileMode)Convert.ToInt32("755", 8));
        File.WriteAllBytes(Path.Combine(root, "share", "big.bin"), Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray());
        File.WriteAllText(Path.Combine(root, "share", "with space é"), "");
        File.CreateSymbolicLink(Path.Combine(root, "share", "link"), "../bin/run");
        File.CreateSymbolicLink(Path.Combine(root, "dangling"), "/nix/store/nothing-here");
        return root;
    }

    private async Task<string> DumpWithNixAsync(NixPeer peer, string tree)
    {
        var nar = Path.Combine(_temp.Path, "nix.nar");
        (await LarderNarCli.RunShellAsync(peer.Environment, "nix-store --dump \"$1\" > \"$2\"", tree, nar)).EnsureSuccess();
        return nar;
    }
}
