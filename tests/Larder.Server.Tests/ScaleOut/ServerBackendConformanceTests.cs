using System.Net;
using Larder.Testing;

namespace Larder.Server.Tests.ScaleOut;

/// <summary>
/// The same HTTP behaviour on every backend combination: a real <c>larder serve</c> takes a closure from
/// <c>nix copy --to</c>, serves its narinfos and NARs, answers 404 for unknown paths, and a fresh store substitutes it.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ServerBackendConformanceTests
{
    [Theory]
    [InlineData("sqlite", "folder")]
    [InlineData("postgres", "folder")]
    [InlineData("sqlite", "s3")]
    [InlineData("postgres", "s3")]
    public async Task Push_then_read_back_behaves_the_same_on_every_backend(string database, string storage)
    {
        await using var cluster = await ScaleOutCluster.CreateAsync(database, storage);
        var replica = await cluster.StartReplicaAsync();
        var nix = await NixPeer.GetAsync();
        var (cache, publicKey, writeEnv) = await ScaleOutNix.PublicCacheAsync(nix, replica, "conf");
        var output = await nix.BuildChainAsync(2, Guid.NewGuid().ToString());

        await ScaleOutNix.RunAsync(writeEnv, "nix", "copy", "--to", $"{replica.CacheUrl(cache)}?compression=zstd", output);
        // A second push of the same closure is a no-op that succeeds.
        await ScaleOutNix.RunAsync(writeEnv, "nix", "copy", "--to", $"{replica.CacheUrl(cache)}?compression=zstd", output);

        Assert.Contains("StoreDir: /nix/store", await replica.Client.GetStringAsync($"/{cache}/nix-cache-info"));
        foreach (var path in await ScaleOutNix.ClosureAsync(nix, output))
        {
            var narInfo = await replica.Client.GetStringAsync($"/{cache}/{ScaleOutNix.HashPart(path)}.narinfo");
            Assert.Contains($"StorePath: {path}\n", narInfo);
            var url = narInfo.Split('\n').Single(l => l.StartsWith("URL: ", StringComparison.Ordinal))["URL: ".Length..];
            var fileSize = long.Parse(narInfo.Split('\n').Single(l => l.StartsWith("FileSize: ", StringComparison.Ordinal))["FileSize: ".Length..]);
            using var nar = await replica.Client.GetAsync($"/{cache}/{url}");
            Assert.Equal(HttpStatusCode.OK, nar.StatusCode);
            Assert.Equal(fileSize, (await nar.Content.ReadAsByteArrayAsync()).LongLength);
        }
        using var unknown = await replica.Client.GetAsync($"/{cache}/{new string('0', 32)}.narinfo");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        await ScaleOutNix.AssertSubstitutesAsync(nix, replica.CacheUrl(cache), publicKey, output);
    }
}
