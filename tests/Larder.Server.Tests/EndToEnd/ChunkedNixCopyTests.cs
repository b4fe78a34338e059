using Larder.Nix.Nar;
using Larder.Server.Metadata.Sqlite;
using Larder.Testing;

namespace Larder.Server.Tests.EndToEnd;

/// <summary>
/// The real Nix against a real <c>larder serve</c> with its default chunk sizes: NARs that <c>nix copy --to</c> pushes
/// are stored as content-defined chunks shared between versions, and <c>nix copy --from</c> substitutes them intact.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ChunkedNixCopyTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Two_versions_pushed_by_nix_copy_share_chunks_and_substitute_identically()
    {
        var nix = await NixPeer.GetAsync();
        var name = ServerFixture.NewCacheName("chunked");
        var cache = await fixture.Admin.CreateCacheAsync(name, isPublic: true);
        var writer = await fixture.Admin.CreateTokenAsync(name, "read", "write");
        var cacheUrl = $"{fixture.Server.BaseUrl}/{name}";
        var writeEnv = nix.EnvironmentWith($"netrc-file = {nix.WriteNetrc("127.0.0.1", writer)}");
        using var sources = new TempDirectory("larder-chunked-src");
        // Fixed bytes: how many chunks a flipped byte changes depends on the content, so random content would make the
        // bound below hold only most of the time.
        var content = new byte[6 << 20];
        new Random(6).NextBytes(content);
        var first = await AddToStoreAsync(nix, sources.Path, "v1", content);
        content[3 << 20] ^= 0xff;
        var second = await AddToStoreAsync(nix, sources.Path, "v2", content);

        foreach (var path in new[] { first, second })
        {
            (await NixPeer.TryRunNixAsync(writeEnv, "nix", "copy", "--to", $"{cacheUrl}?compression=zstd", path)).EnsureSuccess();
        }

        var chunks = new List<IReadOnlyList<string>>();
        using (var metadata = SqliteMetadataStore.ForFile(Path.Combine(fixture.Server.DataDirectory, "larder.db")))
        {
            var cacheId = (await metadata.GetCacheAsync(name, CancellationToken.None))!.Id;
            foreach (var path in new[] { first, second })
            {
                var stored = await metadata.GetPathAsync(cacheId, Path.GetFileName(path)[..32], CancellationToken.None);
                chunks.Add([.. stored!.Nar.Chunks.Select(c => c.StorageKey)]);
            }
        }
        Assert.True(chunks[0].Count > 2, $"{chunks[0].Count} chunks");
        Assert.InRange(chunks[1].Except(chunks[0]).Count(), 1, 3);
        var readEnv = nix.EnvironmentWith($"trusted-public-keys = {cache.PublicKey}");
        foreach (var path in new[] { first, second })
        {
            using var store = new TempDirectory("larder-store");
            (await NixPeer.TryRunNixAsync(readEnv, "nix", "copy", "--from", cacheUrl, "--to", store.Path, path)).EnsureSuccess();
            Assert.Equal(await NarHashing.HashPathAsync(path), await NarHashing.HashPathAsync(store.Path + path));
        }
    }

    private static async Task<string> AddToStoreAsync(NixPeer nix, string directory, string name, byte[] content)
    {
        var file = Path.Combine(directory, name);
        await File.WriteAllBytesAsync(file, content);
        return (await nix.RunNixAsync("nix-store", "--add", file)).Stdout.Trim();
    }
}
