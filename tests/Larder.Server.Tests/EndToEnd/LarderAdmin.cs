using System.Net.Http.Headers;
using System.Net.Http.Json;
using Larder.Contracts;
using Larder.Contracts.Caches;
using Larder.Contracts.Tokens;

namespace Larder.Server.Tests.EndToEnd;

/// <summary>Creates caches and tokens through a running server's <c>/api/v1</c> with the admin token.</summary>
internal sealed class LarderAdmin(HttpClient client, string adminToken)
{
    public async Task<CacheDto> CreateCacheAsync(string name, bool isPublic)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/caches")
        {
            Content = JsonContent.Create(new CreateCacheRequest(name, isPublic), LarderJsonContext.Default.CreateCacheRequest),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"creating cache {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync(LarderJsonContext.Default.CacheDto))!;
    }

    /// <summary>A new token's secret with <paramref name="permissions"/> (read, write, …) on <paramref name="cache"/>.</summary>
    public async Task<string> CreateTokenAsync(string cache, params string[] permissions)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tokens")
        {
            Content = JsonContent.Create(
                new CreateTokenRequest($"test token for {cache}", [new GrantDto(cache, permissions)]), LarderJsonContext.Default.CreateTokenRequest),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"creating a token: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync(LarderJsonContext.Default.CreatedTokenDto))!.Secret;
    }
}
