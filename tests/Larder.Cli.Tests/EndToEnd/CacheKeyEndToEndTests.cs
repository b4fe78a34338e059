using Larder.Testing;

namespace Larder.Cli.Tests.EndToEnd;

/// <summary><c>larder cache key</c> against a real server, and the real Nix trusting only the new key.</summary>
public sealed class CacheKeyEndToEndTests(LarderFixture fixture) : IClassFixture<LarderFixture>
{
    [Fact]
    public async Task After_a_rotation_a_client_trusting_only_the_new_key_substitutes_a_path_pushed_before()
    {
        var cache = await fixture.CreateCacheAsync("rotate");
        var output = await fixture.Nix.BuildChainAsync(3, Guid.NewGuid().ToString("N"));
        (await fixture.RunAsync("push", cache, output)).EnsureSuccess();
        var oldKey = (await fixture.RunAsync("cache", "info", cache)).EnsureSuccess().Stdout;

        var rotated = (await fixture.RunAsync("cache", "key", cache, "--rotate")).EnsureSuccess();

        var line = rotated.Stdout.Trim();
        Assert.StartsWith($"extra-trusted-public-keys = {cache}-2:", line, StringComparison.Ordinal);
        Assert.Contains("4 paths re-signed", rotated.Stderr, StringComparison.Ordinal);
        var nixConf = fixture.NewNixConf();
        (await fixture.RunAsync("use", cache, "--nix-conf", nixConf)).EnsureSuccess();
        var conf = await File.ReadAllTextAsync(nixConf);
        Assert.Contains(line["extra-trusted-public-keys = ".Length..], conf, StringComparison.Ordinal);
        Assert.DoesNotContain($"{cache}-1:", conf, StringComparison.Ordinal);
        Assert.Contains($"{cache}-1:", oldKey, StringComparison.Ordinal);
        using var store = new TempDirectory("larder-rotated-store");
        var substituted = await NixPeer.TryRunNixAsync(fixture.NixEnvironmentFor(nixConf), "nix-store", "--store", store.Path, "--realise", output);
        Assert.True(substituted.ExitCode == 0, $"substitution failed:\n{substituted.Stderr}");
    }

    [Fact]
    public async Task Importing_a_key_made_by_key_generate_prints_its_public_key()
    {
        var cache = await fixture.CreateCacheAsync("import");
        var secretFile = Path.Combine(fixture.Root, $"{cache}.secret");
        var publicFile = Path.Combine(fixture.Root, $"{cache}.public");
        (await fixture.RunAsync("key", "generate", "imported-1", secretFile, publicFile)).EnsureSuccess();

        var imported = (await fixture.RunAsync("cache", "key", cache, "--import", secretFile)).EnsureSuccess();

        Assert.Equal($"extra-trusted-public-keys = {(await File.ReadAllTextAsync(publicFile)).Trim()}", imported.Stdout.Trim());
    }

    [Fact]
    public async Task Exactly_one_of_import_or_rotate_is_required()
    {
        var both = await fixture.RunAsync("cache", "key", "some-cache", "--rotate", "--import", "/dev/null");
        var neither = await fixture.RunAsync("cache", "key", "some-cache");

        Assert.All(new[] { both, neither }, result =>
        {
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("exactly one of --import SECRET_FILE or --rotate", result.Stderr, StringComparison.Ordinal);
        });
    }
}
