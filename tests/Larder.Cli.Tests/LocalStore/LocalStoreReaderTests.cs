using Larder.Cli.Infrastructure;
using Larder.Cli.LocalStore;
using Larder.Testing;

namespace Larder.Cli.Tests.LocalStore;

/// <summary>Reading path metadata from the real local store, through Nix's database and through <c>nix path-info</c>.</summary>
public sealed class LocalStoreReaderTests
{
    private const string NotBuilt = "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-never-built";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Database_and_nix_path_info_agree(bool closure)
    {
        var peer = await NixPeer.GetAsync();
        var output = await peer.BuildChainAsync(4, Guid.NewGuid().ToString("N"));
        var reader = new LocalStoreReader(database: NixStoreDatabase.Default());

        var fromDatabase = await reader.QueryAsync([output], closure, CancellationToken.None);
        var fromNix = await reader.QueryWithNixAsync([output], closure, CancellationToken.None);

        Assert.Equal(closure ? 5 : 1, fromDatabase.Count);
        Assert.Equal(Describe(fromNix), Describe(fromDatabase));
    }

    [Fact]
    public async Task Invalid_paths_are_named_by_either_source()
    {
        var reader = new LocalStoreReader(database: NixStoreDatabase.Default());

        var fromDatabase = await Assert.ThrowsAsync<CliException>(() => reader.QueryAsync([NotBuilt], true, CancellationToken.None));
        var fromNix = await Assert.ThrowsAsync<CliException>(() => reader.QueryWithNixAsync([NotBuilt], true, CancellationToken.None));

        Assert.Contains(NotBuilt, fromDatabase.Message);
        Assert.Contains(NotBuilt, fromNix.Message);
    }

    [Fact]
    public async Task New_paths_appear_after_the_last_seen_id()
    {
        var peer = await NixPeer.GetAsync();
        var database = NixStoreDatabase.Default();
        var before = await database.GetLastIdAsync(CancellationToken.None);

        var output = await peer.BuildChainAsync(1, Guid.NewGuid().ToString("N"));
        var (paths, last) = await database.GetPathsAfterAsync(before, CancellationToken.None);

        Assert.Contains(output, paths);
        Assert.True(last > before);
    }

    private static List<string> Describe(IEnumerable<LocalPathInfo> infos) =>
        [.. infos.OrderBy(i => i.Path, StringComparer.Ordinal).Select(i =>
            $"{i.Path} {i.NarHash} {i.NarSize} [{string.Join(' ', i.References.Order(StringComparer.Ordinal))}] {i.Deriver} [{string.Join(' ', i.Signatures)}] {i.Ca}")];
}
