using Larder.Nix.Nar;
using Larder.Testing;

namespace Larder.Server.Tests.ScaleOut;

/// <summary>The real Nix against a <see cref="ScaleOutCluster"/>: make a cache, push with <c>nix copy --to</c>, substitute back.</summary>
internal static class ScaleOutNix
{
    public static string NewCacheName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    /// <summary>A public cache made through <paramref name="replica"/>, its public key, and a Nix environment that may push to it.</summary>
    public static async Task<(string Name, string PublicKey, IReadOnlyDictionary<string, string> WriteEnv)> PublicCacheAsync(
        NixPeer nix, Replica replica, string prefix)
    {
        var name = NewCacheName(prefix);
        var cache = await replica.Admin.CreateCacheAsync(name, isPublic: true);
        var writer = await replica.Admin.CreateTokenAsync(name, "read", "write");
        return (name, cache.PublicKey, nix.EnvironmentWith($"netrc-file = {nix.WriteNetrc("127.0.0.1", writer)}"));
    }

    public static async Task RunAsync(IReadOnlyDictionary<string, string> env, string exe, params string[] args) =>
        (await NixPeer.TryRunNixAsync(env, exe, args)).EnsureSuccess();

    /// <summary>The closure of <paramref name="output"/> (store paths).</summary>
    public static async Task<string[]> ClosureAsync(NixPeer nix, string output) =>
        (await nix.RunNixAsync("nix-store", "--query", "--requisites", output)).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Substitutes <paramref name="output"/> from <paramref name="cacheUrl"/> into a fresh store and checks every path's NAR hash.</summary>
    public static async Task AssertSubstitutesAsync(NixPeer nix, string cacheUrl, string publicKey, string output)
    {
        using var store = new TempDirectory("larder-store");
        var env = nix.EnvironmentWith($"trusted-public-keys = {publicKey}");
        await RunAsync(env, "nix", "copy", "--from", cacheUrl, "--to", store.Path, output);
        foreach (var path in await ClosureAsync(nix, output))
        {
            var copy = store.Path + path;
            Assert.True(Directory.Exists(copy) || File.Exists(copy), $"{path} is missing from the substituted store");
            Assert.Equal(await NarHashing.HashPathAsync(path), await NarHashing.HashPathAsync(copy));
        }
    }

    public static string HashPart(string storePath) => Path.GetFileName(storePath)[..32];
}
