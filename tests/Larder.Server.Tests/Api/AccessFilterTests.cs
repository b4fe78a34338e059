using System.Net;
using System.Text;
using Larder.Contracts.Tokens;
using Larder.Server.Access;
using Larder.Server.Tests.BinaryCache;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.Tests.Api;

/// <summary>
/// Authorization declared per endpoint and enforced by one filter: every endpoint declares it, and a private cache
/// reveals nothing, on any endpoint that names a cache, to a caller without access to it.
/// </summary>
public sealed class AccessFilterTests(LarderApplicationFixture fixture) : IClassFixture<LarderApplicationFixture>
{
    private LarderApplication App => fixture.App;

    /// <summary>Every request that names a cache, as (method, URL with <c>{c}</c> for the cache and <c>{h}</c> for a stored path's hash).</summary>
    public static TheoryData<string, string> CacheRequests() => new()
    {
        { "GET", "{c}/nix-cache-info" },
        { "GET", "{c}/{h}.narinfo" },
        { "HEAD", "{c}/{h}.narinfo" },
        { "GET", "{c}/00000000000000000000000000000000.narinfo" },
        { "GET", "{c}/{h}.ls" },
        { "GET", "{c}/whatever" },
        { "GET", "{c}/nar/1111111111111111111111111111111111111111111111111111.nar.zst" },
        { "GET", "{c}/nar/not-a-nar" },
        { "GET", "{c}/log/00000000000000000000000000000000-x.drv" },
        { "PUT", "{c}/{h}.narinfo" },
        { "PUT", "{c}/nar/1111111111111111111111111111111111111111111111111111.nar" },
        { "PUT", "{c}/log/00000000000000000000000000000000-x.drv" },
        { "GET", "api/v1/caches/{c}" },
        { "PATCH", "api/v1/caches/{c}" },
        { "DELETE", "api/v1/caches/{c}" },
        { "GET", "api/v1/caches/{c}/events" },
        { "POST", "api/v1/caches/{c}/missing" },
        { "PUT", "api/v1/caches/{c}/upload" },
        { "POST", "api/v1/caches/{c}/uploads" },
        { "GET", "api/v1/caches/{c}/uploads/0123456789abcdef0123456789abcdef" },
        { "POST", "api/v1/caches/{c}/uploads/0123456789abcdef0123456789abcdef/complete" },
    };

    [Fact]
    public void Every_endpoint_declares_its_access_requirement()
    {
        var endpoints = ((IEndpointRouteBuilder)App.App).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().ToList();

        Assert.NotEmpty(endpoints);
        Assert.All(endpoints, e => Assert.True(e.Metadata.GetMetadata<AccessRequirement>() is not null, $"{e.DisplayName} declares no access"));
    }

    [Theory]
    [MemberData(nameof(CacheRequests))]
    public async Task Anonymous_callers_get_the_same_401_challenge_from_a_private_cache_and_a_missing_one(string method, string url)
    {
        var (cache, hash) = await PrivateCacheWithPathAsync();
        using var client = App.CreateClient();

        var (existing, existingBody) = await SendAsync(client, method, url, cache, hash);
        var (missing, missingBody) = await SendAsync(client, method, url, "never-created", hash);

        Assert.Equal(HttpStatusCode.Unauthorized, existing.StatusCode);
        Assert.Equal("Basic realm=\"larder\"", existing.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(existingBody.Replace(cache, "C", StringComparison.Ordinal), missingBody.Replace("never-created", "C", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(CacheRequests))]
    public async Task A_token_without_grants_on_a_cache_cannot_tell_whether_it_exists(string method, string url)
    {
        var (cache, hash) = await PrivateCacheWithPathAsync();
        var (secret, _) = await App.CreateTokenAsync(new GrantDto("somewhere-else", ["read", "write", "admin"]));
        using var client = App.CreateClient(secret);

        var (existing, existingBody) = await SendAsync(client, method, url, cache, hash);
        var (missing, missingBody) = await SendAsync(client, method, url, "never-created", hash);

        Assert.Equal(HttpStatusCode.Forbidden, existing.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, missing.StatusCode);
        Assert.Equal(existingBody.Replace(cache, "C", StringComparison.Ordinal), missingBody.Replace("never-created", "C", StringComparison.Ordinal));
    }

    private async Task<(string Cache, string Hash)> PrivateCacheWithPathAsync()
    {
        var cache = await App.CreateCacheAsync("acc-" + Guid.NewGuid().ToString("N")[..20]);
        using var admin = App.CreateClient(App.AdminToken);
        var path = await PushedPath.CreateAsync();
        await path.PushAsync(admin, cache.Name);
        return (cache.Name, path.HashPart);
    }

    private static async Task<(HttpResponseMessage Response, string Body)> SendAsync(HttpClient client, string method, string url, string cache, string hash)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url.Replace("{c}", cache, StringComparison.Ordinal).Replace("{h}", hash, StringComparison.Ordinal));
        if (method is "PUT" or "POST" or "PATCH")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }
        var response = await client.SendAsync(request);
        return (response, await response.Content.ReadAsStringAsync());
    }
}
