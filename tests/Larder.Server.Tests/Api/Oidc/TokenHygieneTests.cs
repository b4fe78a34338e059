using System.Net;
using Larder.Contracts;
using Larder.Contracts.Oidc;
using Larder.Contracts.Tokens;
using Larder.Server.Access;
using Microsoft.Extensions.DependencyInjection;

namespace Larder.Server.Tests.Api.Oidc;

public sealed class TokenHygieneTests
{
    [Fact]
    public async Task A_burst_of_bad_tokens_gets_429_while_a_valid_token_keeps_working()
    {
        await using var server = await OidcTestServer.StartAsync("--Larder:FailedAuthentication:Burst=3", "--Larder:FailedAuthentication:RefillInterval=01:00:00");
        await server.AddPolicyAsync("limited", "larder", "*", permissions: ["read"]);
        using var bad = server.App.CreateClient("larder_not-a-real-token");
        using var good = server.App.CreateClient(server.App.AdminToken);

        for (var i = 0; i < 3; i++)
        {
            await ApiAssert.ErrorAsync(await bad.GetAsync("api/v1/whoami"), HttpStatusCode.Unauthorized, "not valid");
        }
        using var limited = await bad.GetAsync("api/v1/whoami");

        await ApiAssert.ErrorAsync(limited, HttpStatusCode.TooManyRequests, "too many failed authentication attempts");
        Assert.InRange(limited.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.OK, (await good.GetAsync("api/v1/whoami")).StatusCode);
        await ApiAssert.ErrorAsync(await server.ExchangeAsync(server.Issuer.Unsigned("larder")), HttpStatusCode.TooManyRequests);
        await server.ExchangeOkAsync(server.Issuer.Sign("larder"));
        using var anonymous = server.App.CreateClient();
        await ApiAssert.ErrorAsync(await anonymous.GetAsync("api/v1/whoami"), HttpStatusCode.Unauthorized, "authentication required");
    }

    [Fact]
    public async Task Last_used_times_move_and_writes_creation_and_revocation_are_events()
    {
        await using var app = await LarderApplication.StartAsync();
        var cache = await app.CreateCacheAsync("hygiene");
        var (secret, id) = await app.CreateTokenAsync(new GrantDto(cache.Name, ["admin"]));
        using var client = app.CreateClient(secret);
        var uses = app.Services.GetRequiredService<TokenUseRecorder>();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("api/v1/whoami")).StatusCode);
        await uses.FlushAsync(CancellationToken.None);
        var firstUse = (await ListAsync(app)).Single(t => t.Id == id).LastUsedAt;
        Assert.NotNull(firstUse);
        await Task.Delay(20);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"api/v1/caches/{cache.Name}")).StatusCode);
        await uses.FlushAsync(CancellationToken.None);
        Assert.True((await ListAsync(app)).Single(t => t.Id == id).LastUsedAt > firstUse);
        using var admin = app.CreateClient(app.AdminToken);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"api/v1/tokens/{id}")).StatusCode);

        var events = await ApiAssert.OkAsync(await admin.GetAsync($"api/v1/tokens/events?token={id}"), OidcJsonContext.Default.IReadOnlyListTokenEventDto);

        Assert.Equal(["revoke", "write", "create"], events.Select(e => e.Kind));
        Assert.Contains("created by token", events[2].Detail, StringComparison.Ordinal);
    }

    private static async Task<IReadOnlyList<TokenDto>> ListAsync(LarderApplication app)
    {
        using var admin = app.CreateClient(app.AdminToken);
        return await ApiAssert.OkAsync(await admin.GetAsync("api/v1/tokens"), LarderJsonContext.Default.IReadOnlyListTokenDto);
    }
}
