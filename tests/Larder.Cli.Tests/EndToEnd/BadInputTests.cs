using Larder.Testing;

namespace Larder.Cli.Tests.EndToEnd;

/// <summary>Every bad input gets a clear message naming the problem and a non-zero exit code.</summary>
public sealed class BadInputTests(LarderFixture fixture) : IClassFixture<LarderFixture>, IAsyncLifetime
{
    private const string MissingStorePath = "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-not-built";
    private string _cache = "";
    private string _path = "";

    public async Task InitializeAsync()
    {
        _cache = await fixture.CreateCacheAsync("bad");
        _path = await fixture.Nix.BuildChainAsync(1, Guid.NewGuid().ToString("N"));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("push|no-such-cache|{path}", "no cache named 'no-such-cache'")]
    [InlineData("push|{cache}|/tmp", "is not in the Nix store")]
    [InlineData("push|{cache}|/nonexistent/result", "'/nonexistent/result' does not exist")]
    [InlineData("push|{cache}|" + MissingStorePath, "not a valid path in the local Nix store: " + MissingStorePath)]
    [InlineData("push|nosuch:{cache}|{path}", "unknown server 'nosuch'")]
    [InlineData("push|{cache}|{path}|--jobs|0", "--jobs must be between 1 and 64")]
    [InlineData("push|{cache}|{path}|--part-size|banana", "'banana' is not a size")]
    [InlineData("push|{cache}|{path}|--part-size|512K", "--part-size must be between 1M and 1T, not 512K")]
    [InlineData("push|{cache}|{path}|--part-size|2T", "--part-size must be between 1M and 1T, not 2T")]
    [InlineData("token|revoke|999999", "hint: list the tokens with `larder token list`")]
    [InlineData("token|revoke|abc", "'abc' is not a token id")]
    [InlineData("cache|events|{cache}|--limit|0", "--limit must be between 1 and 1000")]
    [InlineData("use|no-such-cache", "no cache named 'no-such-cache'")]
    [InlineData("path-info|{cache}|" + MissingStorePath, "does not have " + MissingStorePath)]
    [InlineData("path-info|{cache}|not/a/path", "'not/a/path' does not exist")]
    [InlineData("token|create|--description|x|--cache|*|--permission|fly", "unknown permission 'fly'")]
    [InlineData("token|create|--description|x|--cache|*|--expires|yesterday", "is neither a duration")]
    [InlineData("cache|configure|{cache}", "nothing to configure")]
    [InlineData("cache|configure|{cache}|--upstream-url|ftp://cache.example.org", "invalid upstream URL 'ftp://cache.example.org'")]
    [InlineData("cache|configure|{cache}|--upstream-url|https://cache.example.org", "need at least one upstream public key")]
    [InlineData("cache|configure|{cache}|--upstream-url|https://cache.example.org|--no-upstreams", "--upstream-url and --no-upstreams contradict each other")]
    [InlineData("cache|configure|{cache}|--upstream-key|up-1:not-a-key", "invalid upstream public key 'up-1:not-a-key'")]
    [InlineData("cache|info|no-such-cache", "no cache named 'no-such-cache'")]
    [InlineData("logout|nobody", "not logged in to a server named 'nobody'")]
    [InlineData("login|bad:name|http://127.0.0.1:1", "is not a server name")]
    [InlineData("login|x|ftp://example.com", "'ftp://example.com' is not an http:// or https:// URL")]
    public async Task Bad_input_fails_with_a_message_naming_the_problem(string command, string expected)
    {
        var args = command.Replace("{cache}", _cache).Replace("{path}", _path).Split('|');

        var result = await fixture.RunAsync(args);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task Server_down_is_reported_as_unreachable_with_a_hint()
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";

        var result = await fixture.RunWithAsync(new Dictionary<string, string> { ["LARDER_SERVER"] = url }, null, "push", "c", _path);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"cannot reach {url}: connection refused", result.Stderr);
        Assert.Contains("is `larder serve` running", result.Stderr);
    }

    [Fact]
    public async Task Read_only_token_cannot_push_and_is_told_which_permission_it_lacks()
    {
        var created = await fixture.RunAsync("token", "create", "--description", "read only", "--cache", _cache, "--permission", "read");
        created.EnsureSuccess();
        var secret = created.Stdout.Trim();

        var result = await fixture.RunWithAsync(new Dictionary<string, string> { ["LARDER_TOKEN"] = secret }, null, "push", _cache, _path);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"the token lacks write permission on cache '{_cache}'", result.Stderr);
    }

    [Fact]
    public async Task Unknown_token_is_rejected_with_an_explanation()
    {
        var result = await fixture.RunWithAsync(new Dictionary<string, string> { ["LARDER_TOKEN"] = "not-a-real-token" }, null, "push", _cache, _path);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("the server rejected the token", result.Stderr);
    }

    [Fact]
    public async Task Revoked_token_stops_working_at_once()
    {
        var created = await fixture.RunAsync("token", "create", "--description", "short-lived", "--cache", _cache, "--permission", "read,write", "--json");
        created.EnsureSuccess();
        using var json = System.Text.Json.JsonDocument.Parse(created.Stdout);
        var secret = json.RootElement.GetProperty("secret").GetString()!;
        var id = json.RootElement.GetProperty("token").GetProperty("id").GetInt64();
        var asToken = new Dictionary<string, string> { ["LARDER_TOKEN"] = secret };
        (await fixture.RunWithAsync(asToken, null, "cache", "info", _cache)).EnsureSuccess();

        (await fixture.RunAsync("token", "revoke", id.ToString())).EnsureSuccess();

        var after = await fixture.RunWithAsync(asToken, null, "cache", "info", _cache);
        Assert.NotEqual(0, after.ExitCode);
        Assert.Contains("revoked", after.Stderr);
    }

    [Fact]
    public async Task Private_cache_without_a_token_asks_for_one()
    {
        var privateCache = await fixture.CreateCacheAsync("closed", isPublic: false);

        var result = await fixture.RunWithAsync(
            new Dictionary<string, string> { ["LARDER_SERVER"] = fixture.Server.BaseUrl }, null, "use", privateCache, "--nix-conf", fixture.NewNixConf());

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("requires a token", result.Stderr);
    }
}
