using System.Text.Json;
using Larder.Nix.Hashing;
using Larder.Nix.Signing;
using Larder.Nix.Store;
using Larder.Testing;

namespace Larder.Cli.Tests.Key;

public class KeyCommandTests
{
    [Fact]
    public async Task Generate_writes_nix_format_files_without_newline_and_a_private_secret()
    {
        using var dir = new TempDirectory("larder-key");
        string sk = Path.Combine(dir.Path, "sk");
        string pk = Path.Combine(dir.Path, "pk");

        var result = (await LarderKeyCli.RunAsync("key", "generate", "cache.example.org-1", sk, pk)).EnsureSuccess();

        string secretText = await File.ReadAllTextAsync(sk);
        string publicText = await File.ReadAllTextAsync(pk);
        Assert.StartsWith("cache.example.org-1:", secretText);
        Assert.DoesNotContain('\n', secretText);
        Assert.DoesNotContain('\n', publicText);
        Assert.Equal(88, secretText.Length - "cache.example.org-1:".Length);
        var secret = SecretKey.Parse(secretText);
        Assert.Equal(publicText, secret.PublicKey.ToString());
        Assert.Equal(publicText + "\n", result.Stdout);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(sk));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public async Task Public_prints_the_public_key_of_a_secret_key_file()
    {
        using var dir = new TempDirectory("larder-key");
        var key = SecretKey.Generate("k-1");
        string sk = Path.Combine(dir.Path, "sk");
        await File.WriteAllTextAsync(sk, key.ToString() + "\n");

        var result = (await LarderKeyCli.RunAsync("key", "public", sk)).EnsureSuccess();

        Assert.Equal(key.PublicKey.ToString() + "\n", result.Stdout);
    }

    [Fact]
    public async Task Generate_refuses_to_overwrite_unless_forced()
    {
        using var dir = new TempDirectory("larder-key");
        string sk = Path.Combine(dir.Path, "sk");
        string pk = Path.Combine(dir.Path, "pk");
        await File.WriteAllTextAsync(pk, "precious");

        var refused = await LarderKeyCli.RunAsync("key", "generate", "k-1", sk, pk);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"error: '{pk}' already exists", refused.Stderr);
        Assert.Contains("--force", refused.Stderr);
        Assert.Equal("precious", await File.ReadAllTextAsync(pk));
        Assert.False(File.Exists(sk)); // nothing written when one target is refused

        (await LarderKeyCli.RunAsync("key", "generate", "k-1", sk, pk, "--force")).EnsureSuccess();
        Assert.Equal(SecretKey.Parse(await File.ReadAllTextAsync(sk)).PublicKey.ToString(), await File.ReadAllTextAsync(pk));
    }

    [Fact]
    public async Task Force_tightens_the_mode_of_an_existing_secret_file()
    {
        using var dir = new TempDirectory("larder-key");
        string sk = Path.Combine(dir.Path, "sk");
        await File.WriteAllTextAsync(sk, "old");
        File.SetUnixFileMode(sk, (UnixFileMode)0b110_100_100);

        (await LarderKeyCli.RunAsync("key", "generate", "k-1", sk, Path.Combine(dir.Path, "pk"), "--force")).EnsureSuccess();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(sk));
    }

    public static TheoryData<string, string> BadSecretFiles => new()
    {
        { "no-colon-here", "no ':' found" },
        { "k:" + Convert.ToBase64String(new byte[32]), "is 32 bytes, but an Ed25519 secret key is 64 bytes" },
        { "k:%%%", "is not valid base64" },
        { ":" + Convert.ToBase64String(new byte[64]), "key name is empty" },
        { "", "no ':' found" },
    };

    [Theory]
    [MemberData(nameof(BadSecretFiles))]
    public async Task Public_rejects_malformed_secret_files_naming_the_file(string content, string reason)
    {
        using var dir = new TempDirectory("larder-key");
        string sk = Path.Combine(dir.Path, "sk");
        await File.WriteAllTextAsync(sk, content);

        var result = await LarderKeyCli.RunAsync("key", "public", sk);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"error: '{sk}' is not a valid secret key file", result.Stderr);
        Assert.Contains(reason, result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Public_reports_a_missing_file()
    {
        var result = await LarderKeyCli.RunAsync("key", "public", "/nonexistent/larder/sk");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: no such secret key file: '/nonexistent/larder/sk'", result.Stderr);
    }

    [Theory]
    [InlineData("bad:name", "contains ':'")]
    [InlineData("bad name", "contains ' '")]
    [InlineData("", "key name is empty")]
    public async Task Generate_rejects_bad_names(string name, string reason)
    {
        using var dir = new TempDirectory("larder-key");
        var result = await LarderKeyCli.RunAsync("key", "generate", name, Path.Combine(dir.Path, "sk"), Path.Combine(dir.Path, "pk"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: invalid key name", result.Stderr);
        Assert.Contains(reason, result.Stderr);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task Generate_reports_a_missing_directory_and_identical_files()
    {
        using var dir = new TempDirectory("larder-key");
        var missing = await LarderKeyCli.RunAsync("key", "generate", "k-1", "/nonexistent/larder/sk", Path.Combine(dir.Path, "pk"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("directory '/nonexistent/larder' does not exist", missing.Stderr);

        string same = Path.Combine(dir.Path, "k");
        var identical = await LarderKeyCli.RunAsync("key", "generate", "k-1", same, same);
        Assert.Equal(1, identical.ExitCode);
        Assert.Contains("must be different files", identical.Stderr);
    }

    [Fact]
    public async Task Missing_arguments_fail_with_usage_error()
    {
        var result = await LarderKeyCli.RunAsync("key", "generate", "only-a-name");
        Assert.NotEqual(0, result.ExitCode);
        Assert.NotEqual("", result.Stderr);
    }

    [Fact]
    public async Task Nix_reads_our_key_files_and_signs_exactly_as_we_do()
    {
        var peer = await NixPeer.GetAsync();
        string output = await peer.BuildChainAsync(2, $"nixcore-key-cli-{Guid.NewGuid():N}");
        using var dir = new TempDirectory("larder-key");
        string sk = Path.Combine(dir.Path, "sk");
        string pk = Path.Combine(dir.Path, "pk");
        (await LarderKeyCli.RunAsync("key", "generate", "larder-cli-1", sk, pk)).EnsureSuccess();

        await peer.RunNixAsync("nix", "store", "sign", "--key-file", sk, output);
        var verified = await NixPeer.TryRunNixAsync(peer.Environment, "nix", "store", "verify", "--no-contents", "--sigs-needed", "1",
            "--option", "trusted-public-keys", await File.ReadAllTextAsync(pk), output);
        Assert.True(verified.ExitCode == 0, verified.Stderr);

        using var json = JsonDocument.Parse((await peer.RunNixAsync("nix", "path-info", "--json", output)).Stdout);
        var info = json.RootElement[0];
        string fingerprint = Fingerprint.For(StorePath.Parse(output), NixHash.Parse(info.GetProperty("narHash").GetString()!),
            info.GetProperty("narSize").GetInt64(), info.GetProperty("references").EnumerateArray().Select(r => r.GetString()!));
        string nixSignature = info.GetProperty("signatures").EnumerateArray().Select(s => s.GetString()!)
            .Single(s => s.StartsWith("larder-cli-1:", StringComparison.Ordinal));
        Assert.Equal(SecretKey.Parse(await File.ReadAllTextAsync(sk)).Sign(fingerprint), nixSignature);
    }

    [Fact]
    public async Task Public_accepts_a_key_made_by_nix()
    {
        var peer = await NixPeer.GetAsync();
        using var dir = new TempDirectory("larder-key");
        string sk = Path.Combine(dir.Path, "sk");
        string pk = Path.Combine(dir.Path, "pk");
        await peer.RunNixAsync("nix-store", "--generate-binary-cache-key", "nix-made-2", sk, pk);

        var result = (await LarderKeyCli.RunAsync("key", "public", sk)).EnsureSuccess();

        Assert.Equal(await File.ReadAllTextAsync(pk) + "\n", result.Stdout);
    }
}
