using System.Net;
using System.Text;
using Larder.Contracts.Tokens;

namespace Larder.Server.Tests.Api;

/// <summary>
/// A caller without access is told so before anything about its request body: a malformed body must not turn a
/// 401/403 into a 400 (which would also tell apart caches that exist from those that do not).
/// </summary>
public sealed class BodyAfterAccessTests(LarderApplicationFixture fixture) : IClassFixture<LarderApplicationFixture>
{
    private const string Malformed = """{"name": """;

    private LarderApplication App => fixture.App;

    public static TheoryData<string, string> BodyRequests() => new()
    {
        { "POST", "api/v1/caches" },
        { "POST", "api/v1/tokens" },
        { "PATCH", "api/v1/caches/{c}" },
        { "PUT", "api/v1/caches/{c}/signing-key" },
    };

    [Theory]
    [MemberData(nameof(BodyRequests))]
    public async Task Anonymous_callers_get_401_whatever_the_body(string method, string url)
    {
        var cache = await App.CreateCacheAsync($"body-anon-{Guid.NewGuid():N}"[..20]);
        using var anonymous = App.CreateClient();

        foreach (var name in new[] { cache.Name, "no-such-cache-here" })
        {
            using var response = await SendAsync(anonymous, method, url.Replace("{c}", name, StringComparison.Ordinal));
            await ApiAssert.ErrorAsync(response, HttpStatusCode.Unauthorized);
        }
    }

    [Theory]
    [InlineData("PATCH", "api/v1/caches/{c}")]
    [InlineData("PUT", "api/v1/caches/{c}/signing-key")]
    public async Task A_token_without_grants_gets_the_same_403_for_existing_and_missing_caches(string method, string url)
    {
        var cache = await App.CreateCacheAsync($"body-nog-{Guid.NewGuid():N}"[..20]);
        var (secret, _) = await App.CreateTokenAsync(new GrantDto("elsewhere", ["read"]));
        using var client = App.CreateClient(secret);

        using var existing = await SendAsync(client, method, url.Replace("{c}", cache.Name, StringComparison.Ordinal));
        using var missing = await SendAsync(client, method, url.Replace("{c}", "no-such-cache-here", StringComparison.Ordinal));

        var existingBody = await ApiAssert.ErrorAsync(existing, HttpStatusCode.Forbidden);
        var missingBody = await ApiAssert.ErrorAsync(missing, HttpStatusCode.Forbidden);
        Assert.Equal(existingBody.Replace(cache.Name, "NAME", StringComparison.Ordinal), missingBody.Replace("no-such-cache-here", "NAME", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(BodyRequests))]
    public async Task An_allowed_caller_is_told_what_is_wrong_with_the_body(string method, string url)
    {
        var cache = await App.CreateCacheAsync($"body-adm-{Guid.NewGuid():N}"[..20]);
        using var admin = App.CreateClient(App.AdminToken);

        using var response = await SendAsync(admin, method, url.Replace("{c}", cache.Name, StringComparison.Ordinal));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid JSON body");
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string url) =>
        client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url)
        {
            Content = new StringContent(Malformed, Encoding.UTF8, "application/json"),
        });
}
