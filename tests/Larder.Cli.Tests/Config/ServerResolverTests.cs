using Larder.Cli.Config;
using Larder.Cli.Infrastructure;

namespace Larder.Cli.Tests.Config;

public sealed class ServerResolverTests
{
    private static CliConfig TwoServers() => new()
    {
        DefaultServer = "home",
        Servers =
        {
            ["home"] = new ServerEntry { Url = "http://home.test:5180/", Token = "home-token" },
            ["work"] = new ServerEntry { Url = "https://work.test/larder", Token = null },
        },
    };

    private static ServerResolver Resolver(Dictionary<string, string>? environment = null) =>
        new(TwoServers(), name => environment?.GetValueOrDefault(name));

    [Theory]
    [InlineData("main", "home", "http://home.test:5180/", "main", "home-token")]
    [InlineData("work:ci", "work", "https://work.test/larder/", "ci", null)]
    [InlineData("home:x", "home", "http://home.test:5180/", "x", "home-token")]
    public void Cache_arguments_pick_the_named_or_default_server(string argument, string server, string url, string cache, string? token)
    {
        var target = Resolver().ResolveCache(argument);

        Assert.Equal(server, target.Server.Name);
        Assert.Equal(url, target.Server.BaseUrl.ToString());
        Assert.Equal(cache, target.Cache);
        Assert.Equal(token, target.Server.Token);
    }

    [Fact]
    public void Environment_overrides_server_and_token()
    {
        var target = Resolver(new() { ["LARDER_SERVER"] = "work", ["LARDER_TOKEN"] = "ci-secret" }).ResolveCache("main");

        Assert.Equal("work", target.Server.Name);
        Assert.Equal("ci-secret", target.Server.Token);
    }

    [Fact]
    public void LARDER_SERVER_may_be_a_url_without_any_login()
    {
        var resolver = new ServerResolver(new CliConfig(), name => name == "LARDER_SERVER" ? "http://ci.test:8080" : null);

        var target = resolver.ResolveCache("main");

        Assert.Equal("http://ci.test:8080/main", target.CacheUrl.ToString());
    }

    [Theory]
    [InlineData("nosuch:main", "unknown server 'nosuch' (known servers: home, work)")]
    [InlineData(":main", "is not CACHE or SERVER:CACHE")]
    [InlineData("home:", "is not CACHE or SERVER:CACHE")]
    [InlineData("", "the cache name is empty")]
    public void Bad_cache_arguments_are_explained(string argument, string expected)
    {
        var error = Assert.Throws<CliException>(() => Resolver().ResolveCache(argument));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void No_server_at_all_says_to_log_in()
    {
        var error = Assert.Throws<CliException>(() => new ServerResolver(new CliConfig(), _ => null).ResolveCache("main"));

        Assert.Contains("no server is configured", error.Message);
        Assert.Contains("larder login", error.Hint);
    }

    [Theory]
    [InlineData("ftp://x.test")]
    [InlineData("not a url")]
    [InlineData("http://x.test/?q=1")]
    public void Server_urls_must_be_plain_http_or_https(string url)
    {
        Assert.Throws<CliException>(() => ServerResolver.ParseServerUrl(url));
    }
}
