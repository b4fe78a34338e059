using Larder.Nix.Nar;
using Larder.Testing;

namespace Larder.Server.Tests.EndToEnd;

/// <summary>
/// The real Nix (Debian's nix-bin) against a real <c>larder serve</c>: <c>nix copy --to</c> pushes a chain of dependent
/// paths through the binary cache protocol, and fresh stores substitute the closure back with signature checks.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class NixCopyTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const int ChainLength = 4;

    [Theory]
    [InlineData("zstd")]
    [InlineData("xz")]
    [InlineData("none")]
    [InlineData("gzip")] // Nix uploads these as plain nar/<hash>.nar: the server recognises the bytes
    [InlineData("bzip2")]
    [InlineData("br")]
    public async Task Nix_copy_pushes_a_closure_that_a_fresh_store_substitutes_identically(string compression)
    {
        var nix = await NixPeer.GetAsync();
        var (cacheUrl, publicKey, writeEnv) = await PublicCacheWithWriterAsync(nix, "push-" + compression);
        var output = await nix.BuildChainAsync(ChainLength, Guid.NewGuid().ToString());

        await Nix(writeEnv, "nix", "copy", "--to", $"{cacheUrl}?compression={compression}", output);

        using var store = new TempDirectory("larder-store");
        var readEnv = nix.EnvironmentWith($"trusted-public-keys = {publicKey}");
        await Nix(readEnv, "nix", "copy", "--from", cacheUrl, "--to", store.Path, output);
        await AssertSameClosureAsync(nix, output, store.Path);
    }

    [Fact]
    public async Task Nix_substitutes_a_build_from_the_cache_instead_of_building_it()
    {
        var nix = await NixPeer.GetAsync();
        var (cacheUrl, publicKey, writeEnv) = await PublicCacheWithWriterAsync(nix, "build");
        var output = await nix.BuildChainAsync(ChainLength, Guid.NewGuid().ToString());
        await Nix(writeEnv, "nix", "copy", "--to", $"{cacheUrl}?compression=zstd", output);

        using var store = new TempDirectory("larder-store");
        var env = nix.EnvironmentWith($"substituters = {cacheUrl}\ntrusted-public-keys = {publicKey}");
        await Nix(env, "nix-store", "--store", store.Path, "--realise", output);
        await AssertSameClosureAsync(nix, output, store.Path);
    }

    [Fact]
    public async Task Nix_refuses_paths_signed_by_a_key_it_does_not_trust()
    {
        var nix = await NixPeer.GetAsync();
        var (cacheUrl, _, writeEnv) = await PublicCacheWithWriterAsync(nix, "wrongkey");
        var output = await nix.BuildChainAsync(ChainLength, Guid.NewGuid().ToString());
        await Nix(writeEnv, "nix", "copy", "--to", $"{cacheUrl}?compression=zstd", output);

        using var store = new TempDirectory("larder-store");
        var env = nix.EnvironmentWith($"trusted-public-keys = {nix.PublicKey}");
        var result = await NixPeer.TryRunNixAsync(env, "nix", "copy", "--from", cacheUrl, "--to", store.Path, output);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("signature", result.Stderr);
    }

    [Fact]
    public async Task Nix_refuses_a_nar_whose_stored_bytes_were_tampered_with()
    {
        var nix = await NixPeer.GetAsync();
        // A server of its own that keeps small NARs in its blob folder (not inline in the database), to tamper with a file.
        using var data = new TempDirectory("larder-tamper");
        await using var server = await LarderServerProcess.StartAsync(data.Path, ["--Larder:Storage:InlineThreshold=0"]);
        using var client = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        var (cacheUrl, publicKey, writeEnv) = await PublicCacheWithWriterAsync(nix, new LarderAdmin(client, server.AdminToken), server.BaseUrl, "tamper");
        // fib-2 refers to salted paths, so its NAR is unique: the low members' NARs are the same in every chain and
        // are shared (deduplicated) with other tests' caches.
        var output = await nix.BuildChainAsync(2, Guid.NewGuid().ToString());
        await Nix(writeEnv, "nix", "copy", "--to", $"{cacheUrl}?compression=none", output);
        // Find the output's chunk through its narinfo, then flip bytes in the stored file.
        var narInfo = await client.GetStringAsync($"{cacheUrl}/{Path.GetFileName(output)[..32]}.narinfo");
        var narHash = narInfo.Split('\n').Single(l => l.StartsWith("NarHash: ", StringComparison.Ordinal))["NarHash: sha256:".Length..];
        var chunk = Directory.EnumerateFiles(data.Path, narHash + "-*.zst", SearchOption.AllDirectories).Single();
        await TamperAsync(chunk);

        using var store = new TempDirectory("larder-store");
        var env = nix.EnvironmentWith($"trusted-public-keys = {publicKey}");
        var result = await NixPeer.TryRunNixAsync(env, "nix", "copy", "--from", cacheUrl, "--to", store.Path, output);

        Assert.NotEqual(0, result.ExitCode);
        Assert.False(Directory.Exists(Path.Combine(store.Path, "nix", "store", Path.GetFileName(output))), "the tampered path was accepted");
    }

    [Fact]
    public async Task Private_cache_refuses_nix_without_a_token_and_serves_it_with_one()
    {
        var nix = await NixPeer.GetAsync();
        var name = ServerFixture.NewCacheName("private");
        var cache = await fixture.Admin.CreateCacheAsync(name, isPublic: false);
        var cacheUrl = $"{fixture.Server.BaseUrl}/{name}";
        var writer = await fixture.Admin.CreateTokenAsync(name, "read", "write");
        var reader = await fixture.Admin.CreateTokenAsync(name, "read");
        var output = await nix.BuildChainAsync(ChainLength, Guid.NewGuid().ToString());
        await Nix(nix.EnvironmentWith($"netrc-file = {nix.WriteNetrc("127.0.0.1", writer)}"), "nix", "copy", "--to", $"{cacheUrl}?compression=zstd", output);

        using var anonymousStore = new TempDirectory("larder-store");
        var anonymous = await NixPeer.TryRunNixAsync(
            nix.EnvironmentWith($"trusted-public-keys = {cache.PublicKey}"), "nix", "copy", "--from", cacheUrl, "--to", anonymousStore.Path, output);
        Assert.NotEqual(0, anonymous.ExitCode);

        using var store = new TempDirectory("larder-store");
        var readEnv = nix.EnvironmentWith($"trusted-public-keys = {cache.PublicKey}\nnetrc-file = {nix.WriteNetrc("127.0.0.1", reader)}");
        await Nix(readEnv, "nix", "copy", "--from", cacheUrl, "--to", store.Path, output);
        await AssertSameClosureAsync(nix, output, store.Path);
    }

    [Fact]
    public async Task A_read_only_token_cannot_push()
    {
        var nix = await NixPeer.GetAsync();
        var name = ServerFixture.NewCacheName("readonly");
        await fixture.Admin.CreateCacheAsync(name, isPublic: true);
        var reader = await fixture.Admin.CreateTokenAsync(name, "read");
        var output = await nix.BuildChainAsync(1, Guid.NewGuid().ToString());

        var result = await NixPeer.TryRunNixAsync(
            nix.EnvironmentWith($"netrc-file = {nix.WriteNetrc("127.0.0.1", reader)}"),
            "nix", "copy", "--to", $"{fixture.Server.BaseUrl}/{name}?compression=zstd", output);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("403", result.Stderr);
        var narInfo = await fixture.Client.GetAsync($"/{name}/{Path.GetFileName(output)[..32]}.narinfo");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, narInfo.StatusCode);
    }

    [Fact]
    public async Task Nix_copies_a_build_log_to_the_cache_and_reads_it_back()
    {
        var nix = await NixPeer.GetAsync();
        var (cacheUrl, _, writeEnv) = await PublicCacheWithWriterAsync(nix, "log");
        var output = await nix.BuildChainAsync(2, Guid.NewGuid().ToString());
        var drv = await nix.DeriverOfAsync(output);

        await Nix(writeEnv, "nix", "store", "copy-log", "--to", cacheUrl, drv);

        using var response = await fixture.Client.GetAsync($"{cacheUrl}/log/{Path.GetFileName(drv)}");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var local = (await nix.RunNixAsync("nix", "log", drv)).Stdout;
        Assert.Equal(local, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_small_path_stored_without_a_listing_serves_the_listing_nix_itself_writes()
    {
        var nix = await NixPeer.GetAsync();
        var (cacheUrl, _, writeEnv) = await PublicCacheWithWriterAsync(nix, "listing");
        var output = await nix.BuildChainAsync(2, Guid.NewGuid().ToString());
        await Nix(writeEnv, "nix", "copy", "--to", $"{cacheUrl}?compression=zstd", output);
        using var fileCache = new TempDirectory("larder-file-cache");
        await Nix(writeEnv, "nix", "copy", "--to", $"file://{fileCache.Path}?compression=none&write-nar-listing=true", output);
        var hashPart = Path.GetFileName(output)[..32];

        var served = await fixture.Client.GetStringAsync($"{cacheUrl}/{hashPart}.ls");

        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(fileCache.Path, hashPart + ".ls")), served);
        var narInfo = await fixture.Client.GetStringAsync($"{cacheUrl}/{hashPart}.narinfo");
        var narHash = narInfo.Split('\n').Single(l => l.StartsWith("NarHash: ", StringComparison.Ordinal))["NarHash: sha256:".Length..];
        Assert.Empty(Directory.EnumerateFiles(fixture.Server.DataDirectory, narHash + "-*.ls", SearchOption.AllDirectories));
    }

    private Task<(string Url, string PublicKey, IReadOnlyDictionary<string, string> WriteEnv)> PublicCacheWithWriterAsync(NixPeer nix, string prefix) =>
        PublicCacheWithWriterAsync(nix, fixture.Admin, fixture.Server.BaseUrl, prefix);

    private static async Task<(string Url, string PublicKey, IReadOnlyDictionary<string, string> WriteEnv)> PublicCacheWithWriterAsync(
        NixPeer nix, LarderAdmin admin, string baseUrl, string prefix)
    {
        var name = ServerFixture.NewCacheName(prefix);
        var cache = await admin.CreateCacheAsync(name, isPublic: true);
        var writer = await admin.CreateTokenAsync(name, "read", "write");
        var env = nix.EnvironmentWith($"netrc-file = {nix.WriteNetrc("127.0.0.1", writer)}");
        return ($"{baseUrl}/{name}", cache.PublicKey, env);
    }

    private static async Task Nix(IReadOnlyDictionary<string, string> env, string exe, params string[] args) =>
        (await NixPeer.TryRunNixAsync(env, exe, args)).EnsureSuccess();

    /// <summary>Every path of the closure is in <paramref name="storeRoot"/> with the same NAR serialisation.</summary>
    private static async Task AssertSameClosureAsync(NixPeer nix, string output, string storeRoot)
    {
        var closure = (await nix.RunNixAsync("nix-store", "--query", "--requisites", output)).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(ChainLength + 1, closure.Length);
        foreach (var path in closure)
        {
            var copy = storeRoot + path;
            Assert.True(Directory.Exists(copy), $"{path} is missing from the substituted store");
            Assert.Equal(await NarHashing.HashPathAsync(path), await NarHashing.HashPathAsync(copy));
        }
    }

    private static async Task TamperAsync(string file)
    {
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var bytes = await File.ReadAllBytesAsync(file);
        for (int i = bytes.Length / 2; i < Math.Min(bytes.Length, (bytes.Length / 2) + 8); i++)
        {
            bytes[i] ^= 0x5a;
        }
        await File.WriteAllBytesAsync(file, bytes);
    }
}
