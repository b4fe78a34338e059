using Larder.Cli.Infrastructure;
using Larder.Cli.LocalStore;
using Larder.Testing;

namespace Larder.Cli.Tests.Config;

public sealed class StorePathsTests
{
    private const string StorePath = "/nix/store/3lcjzvyzggn8smha5w0qgcv7z3hdlnq9-fib-3";

    [Fact]
    public void Symlink_chains_resolve_to_the_top_level_store_path()
    {
        using var directory = new TempDirectory();
        var inner = Path.Combine(directory.Path, "inner");
        File.CreateSymbolicLink(inner, StorePath + "/value");
        var outer = Path.Combine(directory.Path, "result");
        File.CreateSymbolicLink(outer, "inner");

        Assert.Equal(StorePath, StorePaths.Resolve(outer));
    }

    [Fact]
    public void A_path_outside_the_store_is_rejected()
    {
        using var directory = new TempDirectory();

        var error = Assert.Throws<CliException>(() => StorePaths.Resolve(directory.Path));

        Assert.Contains("is not in the Nix store", error.Message);
    }

    [Fact]
    public void A_malformed_store_entry_is_rejected()
    {
        var error = Assert.Throws<CliException>(() => StorePaths.Resolve("/nix/store/short-name"));

        Assert.Contains("is not a valid store path name", error.Message);
    }
}
