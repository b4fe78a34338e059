using System.Net.Http.Json;
using Larder.Contracts;
using Larder.Server.Configuration;

namespace Larder.Server.Tests.Configuration;

public sealed class TrustedProxiesTests
{
    [Theory]
    [InlineData("proxy.example.com")]
    [InlineData("10.0.0.0/99")]
    [InlineData("")]
    public void An_entry_that_is_not_an_address_or_network_fails_at_start_up(string entry)
    {
        var e = Assert.Throws<LarderConfigurationException>(() => LarderServer.CreateBuilder(["--Larder:TrustedProxies:0=" + entry]));
        Assert.Contains($"invalid Larder:TrustedProxies entry '{entry}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forwarded_proto_and_host_from_a_trusted_proxy_make_the_substituter_url()
    {
        await using var app = await LarderApplication.StartAsync(args: ["--Larder:TrustedProxies:0=127.0.0.0/8"]);
        await app.CreateCacheAsync("behind-proxy", isPublic: true);

        Assert.Equal("https://cache.example.com/behind-proxy", await SubstituterUrlAsync(app, "behind-proxy"));
    }

    [Fact]
    public async Task Forwarded_headers_are_ignored_when_no_proxy_is_trusted()
    {
        await using var app = await LarderApplication.StartAsync();
        await app.CreateCacheAsync("no-proxy", isPublic: true);

        Assert.Equal($"{app.BaseAddress}no-proxy", await SubstituterUrlAsync(app, "no-proxy"));
    }

    [Fact]
    public async Task Forwarded_headers_from_an_untrusted_address_are_ignored()
    {
        await using var app = await LarderApplication.StartAsync(args: ["--Larder:TrustedProxies:0=10.1.2.3"]);
        await app.CreateCacheAsync("wrong-proxy", isPublic: true);

        Assert.Equal($"{app.BaseAddress}wrong-proxy", await SubstituterUrlAsync(app, "wrong-proxy"));
    }

    private static async Task<string> SubstituterUrlAsync(LarderApplication app, string cacheName)
    {
        using var client = app.CreateClient(app.AdminToken);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/caches/{cacheName}");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "cache.example.com");
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync(LarderJsonContext.Default.CacheDto))!.SubstituterUrl;
    }
}
