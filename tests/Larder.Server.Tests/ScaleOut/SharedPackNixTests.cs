using Larder.Nix.Nar;
using Larder.Server.Tests.BinaryCache;
using Larder.Testing;

namespace Larder.Server.Tests.ScaleOut;

/// <summary>
/// Mid-sized paths that the real Nix uploads at once, on PostgreSQL + S3: their packs may share bucket objects
/// (<c>Larder:Storage:SharedPackThreshold</c>), and every path comes back intact.
/// </summary>
public sealed class SharedPackNixTests
{
    [Fact]
    public async Task Mid_sized_paths_pushed_by_nix_at_once_take_at_most_an_object_each_and_substitute_back_intact()
    {
        await using var cluster = await ScaleOutCluster.CreateAsync("postgres", "s3");
        var server = await cluster.StartReplicaAsync();
        var nix = await NixPeer.GetAsync();
        var (cache, publicKey, writeEnv) = await ScaleOutNix.PublicCacheAsync(nix, server, "shared");
        using var files = new TempDirectory("larder-shared-paths");
        var added = Enumerable.Range(0, 12).Select(i =>
        {
            // Random bytes: above the inline threshold (64 KiB) after compression, below the shared one (1 MiB).
            var file = Path.Combine(files.Path, $"mid-{i}-{Guid.NewGuid():N}");
            File.WriteAllBytes(file, NarFixtures.RandomBytes(150_000 + (i * 1000)));
            return file;
        }).ToArray();
        var paths = (await nix.RunNixAsync("nix-store", ["--add", .. added])).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        await ScaleOutNix.RunAsync(writeEnv, "nix", ["copy", "--to", $"{server.CacheUrl(cache)}?compression=zstd", .. paths]);

        var objects = (await cluster.Bucket!.InspectAsync()).Keys
            .Where(key => key.StartsWith("chunks/", StringComparison.Ordinal) || key.StartsWith("packs/", StringComparison.Ordinal))
            .ToList();
        Assert.InRange(objects.Count, 1, paths.Length);
        using var store = new TempDirectory("larder-store");
        await ScaleOutNix.RunAsync(
            nix.EnvironmentWith($"trusted-public-keys = {publicKey}"), "nix", ["copy", "--from", server.CacheUrl(cache), "--to", store.Path, .. paths]);
        foreach (var path in paths)
        {
            Assert.Equal(await NarHashing.HashPathAsync(path), await NarHashing.HashPathAsync(store.Path + path));
        }
    }
}
