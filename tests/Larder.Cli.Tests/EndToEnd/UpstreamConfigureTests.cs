using System.Text.Json;
using Larder.Nix.Signing;

namespace Larder.Cli.Tests.EndToEnd;

/// <summary><c>larder cache configure</c>'s upstream options against the real server.</summary>
public sealed class UpstreamConfigureTests(LarderFixture fixture) : IClassFixture<LarderFixture>
{
    [Fact]
    public async Task Configure_sets_upstream_urls_keys_and_mode_and_no_upstreams_drops_the_urls()
    {
        var cache = await fixture.CreateCacheAsync("upstreams");
        var key = SecretKey.Generate("upstream-1").PublicKey.ToString();

        var configured = (await fixture.RunAsync("cache", "configure", cache, "--upstream-url", "https://a.example.org/",
            "--upstream-url", "https://b.example.org", "--upstream-key", key, "--upstream-key", "other-1", "--upstream-mode", "proxy", "--json"))
            .EnsureSuccess();
        var info = (await fixture.RunAsync("cache", "info", cache)).EnsureSuccess();
        var dropped = (await fixture.RunAsync("cache", "configure", cache, "--no-upstreams", "--json")).EnsureSuccess();

        var json = JsonDocument.Parse(configured.Stdout).RootElement;
        Assert.Equal(["https://a.example.org", "https://b.example.org"], Strings(json, "upstreamUrls"));
        Assert.Equal([key], Strings(json, "upstreamKeys"));
        Assert.Equal(["upstream-1", "other-1"], Strings(json, "upstreamKeyNames"));
        Assert.Equal("proxy", json.GetProperty("upstreamMode").GetString());
        Assert.Contains("upstreams:       https://a.example.org, https://b.example.org (proxy)", info.Stdout);
        Assert.Empty(Strings(JsonDocument.Parse(dropped.Stdout).RootElement, "upstreamUrls"));
    }

    private static string[] Strings(JsonElement element, string property) =>
        [.. element.GetProperty(property).EnumerateArray().Select(e => e.GetString()!)];
}
