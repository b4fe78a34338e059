using Larder.Cli.Config;
using Larder.Cli.Infrastructure;
using Larder.Testing;

namespace Larder.Cli.Tests.Config;

public sealed class ConfigStoreTests
{
    [Fact]
    public void Saved_config_round_trips_and_is_readable_only_by_its_owner()
    {
        using var directory = new TempDirectory();
        var store = new ConfigStore(Path.Combine(directory.Path, "sub", "config.json"));
        var config = new CliConfig { DefaultServer = "a", Servers = { ["a"] = new ServerEntry { Url = "http://a.test/", Token = "t" } } };

        store.Save(config);
        var loaded = store.Load();

        Assert.Equal("a", loaded.DefaultServer);
        Assert.Equal("t", loaded.Servers["a"].Token);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.Path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(store.Path)!));
    }

    [Fact]
    public void Missing_file_is_an_empty_config()
    {
        using var directory = new TempDirectory();

        var config = new ConfigStore(Path.Combine(directory.Path, "none.json")).Load();

        Assert.Null(config.DefaultServer);
        Assert.Empty(config.Servers);
    }

    [Fact]
    public void Malformed_file_is_an_error_naming_it()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "config.json");
        File.WriteAllText(path, "{ not json");

        var error = Assert.Throws<CliException>(() => new ConfigStore(path).Load());

        Assert.Contains(path, error.Message);
    }
}
