namespace Larder.Server.Tests.Api.Oidc;

/// <summary>Each test has its own issuer and server: key caching is per issuer and these tests count key fetches.</summary>
public sealed class OidcKeyRotationTests
{
    [Fact]
    public async Task A_key_rotated_in_at_the_issuer_is_picked_up()
    {
        await using var server = await OidcTestServer.StartAsync();
        await server.AddPolicyAsync("rotation", "larder", "*", permissions: ["read"]);
        await server.ExchangeOkAsync(server.Issuer.Sign("larder"));

        server.Issuer.Rotate(ec: true);

        await server.ExchangeOkAsync(server.Issuer.Sign("larder"));
        Assert.Equal(2, server.Issuer.KeyFetches);
    }

    [Fact]
    public async Task Unknown_key_ids_refetch_the_keys_at_most_once_per_interval()
    {
        await using var server = await OidcTestServer.StartAsync();
        await server.AddPolicyAsync("bounded", "larder", "*", permissions: ["read"]);
        await server.ExchangeOkAsync(server.Issuer.Sign("larder"));

        for (var i = 0; i < 5; i++)
        {
            using var refused = await server.ExchangeAsync(server.Issuer.Sign("larder", key: Larder.Testing.Oidc.SigningKey.Rsa()));
            await ApiAssert.ErrorAsync(refused, System.Net.HttpStatusCode.Unauthorized, "(signing-key)");
        }

        Assert.Equal(2, server.Issuer.KeyFetches);
    }

    [Fact]
    public async Task The_issued_token_stops_working_when_its_lifetime_ends()
    {
        await using var server = await OidcTestServer.StartAsync("--Larder:Oidc:MaxLifetimeBeyondIdToken=00:00:00", "--Larder:Oidc:ClockSkew=00:00:00");
        await server.AddPolicyAsync("short", "larder", "*", permissions: ["read"]);
        await server.ExchangeOkAsync(server.Issuer.Sign("larder"));

        var issued = await server.ExchangeOkAsync(server.Issuer.Sign("larder", lifetime: TimeSpan.FromSeconds(5)));

        Assert.True(issued.ExpiresAt - DateTimeOffset.UtcNow <= TimeSpan.FromSeconds(5), $"expires at {issued.ExpiresAt:O}: not capped by the ID token");
        using var client = server.App.CreateClient(issued.Secret);
        using (var before = await client.GetAsync("api/v1/whoami"))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, before.StatusCode);
        }
        await Task.Delay(issued.ExpiresAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(200));
        using var after = await client.GetAsync("api/v1/whoami");
        await ApiAssert.ErrorAsync(after, System.Net.HttpStatusCode.Unauthorized, "expired");
    }
}
