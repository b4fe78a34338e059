using System.Net;
using Larder.Contracts;
using Larder.Contracts.Oidc;
using Larder.Testing.Oidc;

namespace Larder.Server.Tests.Api.Oidc;

public sealed class OidcExchangeTests(OidcTestServerFixture fixture) : IClassFixture<OidcTestServerFixture>
{
    private OidcTestServer Server => fixture.Server;

    private static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20];

    [Fact]
    public async Task A_valid_id_token_yields_a_short_lived_token_with_the_policy_grants()
    {
        var audience = NewName("aud");
        var cache = NewName("ci");
        await Server.App.CreateCacheAsync(cache);
        await Server.AddPolicyAsync(NewName("gh"), audience, cache);

        var issued = await Server.ExchangeOkAsync(Server.Issuer.Sign(audience));

        Assert.StartsWith("larder_", issued.Secret, StringComparison.Ordinal);
        Assert.InRange(issued.ExpiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(55), TimeSpan.FromMinutes(61));
        Assert.Equal(cache, Assert.Single(issued.Grants).Cache);
        using var client = Server.App.CreateClient(issued.Secret);
        var who = await ApiAssert.OkAsync(await client.GetAsync("api/v1/whoami"), LarderJsonContext.Default.WhoAmIDto);
        Assert.Equal(issued.TokenId, who.Id);
        Assert.Contains(Assert.Single(issued.Policies), who.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_exchange_is_recorded_with_the_policy_that_matched()
    {
        var audience = NewName("aud");
        var policy = await Server.AddPolicyAsync(NewName("gh"), audience, "*", permissions: ["read"]);

        var issued = await Server.ExchangeOkAsync(Server.Issuer.Sign(audience));

        using var admin = Server.App.CreateClient(Server.App.AdminToken);
        var events = await ApiAssert.OkAsync(
            await admin.GetAsync($"api/v1/tokens/events?token={issued.TokenId}"), OidcJsonContext.Default.IReadOnlyListTokenEventDto);
        var exchange = Assert.Single(events);
        Assert.Equal("oidc-exchange", exchange.Kind);
        Assert.Contains($"'{policy.Name}'", exchange.Detail, StringComparison.Ordinal);
        Assert.Contains("repo:acme/app:ref:refs/heads/main", exchange.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_accepting_policy_adds_its_grants_and_the_shortest_lifetime_wins()
    {
        var audience = NewName("aud");
        var reader = await Server.AddPolicyAsync(NewName("read"), audience, "docs", permissions: ["read"], lifetimeSeconds: 3600);
        var writer = await Server.AddPolicyAsync(NewName("write"), audience, "builds", lifetimeSeconds: 600);
        await Server.AddPolicyAsync(NewName("other"), audience, "secret", [new ClaimConditionDto("repository", "acme/other")]);

        var issued = await Server.ExchangeOkAsync(Server.Issuer.Sign(audience));

        Assert.Equal([reader.Name, writer.Name], issued.Policies.Order(StringComparer.Ordinal));
        Assert.Equal(["builds", "docs"], issued.Grants.Select(g => g.Cache).Order(StringComparer.Ordinal));
        Assert.InRange(issued.ExpiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
    }

    public static TheoryData<string, HttpStatusCode, string> Refusals => new()
    {
        { "expired", HttpStatusCode.Unauthorized, "(expiry)" },
        { "not yet valid", HttpStatusCode.Unauthorized, "(not-before)" },
        { "issued in the future", HttpStatusCode.Unauthorized, "(issued-at)" },
        { "wrong issuer", HttpStatusCode.Unauthorized, "(issuer)" },
        { "wrong audience", HttpStatusCode.Unauthorized, "(audience)" },
        { "bad signature", HttpStatusCode.Unauthorized, "(signature)" },
        { "alg none", HttpStatusCode.Unauthorized, "(algorithm)" },
        { "HS256 with the public key", HttpStatusCode.Unauthorized, "(algorithm)" },
        { "unknown kid", HttpStatusCode.Unauthorized, "(signing-key)" },
        { "not a JWT", HttpStatusCode.Unauthorized, "(format)" },
        { "claim does not match", HttpStatusCode.Forbidden, "(claims)" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_refused_id_token_names_the_failed_check_and_yields_no_token(string refusal, HttpStatusCode status, string check)
    {
        var audience = NewName("aud");
        await Server.AddPolicyAsync(NewName("gh"), audience, "*", permissions: ["read"]);
        var issuer = Server.Issuer;
        var now = DateTime.UtcNow;
        var idToken = refusal switch
        {
            "expired" => issuer.Sign(audience, issuedAt: now.AddMinutes(-20), lifetime: TimeSpan.FromMinutes(5)),
            "not yet valid" => issuer.Sign(audience, notBefore: now.AddMinutes(10), issuedAt: now, lifetime: TimeSpan.FromMinutes(20)),
            "issued in the future" => issuer.Sign(audience, issuedAt: now.AddMinutes(10), notBefore: now),
            "wrong issuer" => issuer.Sign(audience, issuer: "https://issuer.invalid"),
            "wrong audience" => issuer.Sign("someone-else"),
            "bad signature" => issuer.WithBadSignature(audience),
            "alg none" => issuer.Unsigned(audience),
            "HS256 with the public key" => issuer.HmacWithPublicKey(audience),
            "unknown kid" => issuer.Sign(audience, key: SigningKey.Rsa()),
            "not a JWT" => "definitely-not-a-jwt",
            "claim does not match" => issuer.Sign(audience, TestOidcIssuer.GitHubClaims(repository: "mallory/app")),
            _ => throw new ArgumentOutOfRangeException(nameof(refusal)),
        };
        var tokensBefore = (await Server.App.Metadata.ListTokensAsync(CancellationToken.None)).Count;

        using var response = await Server.ExchangeAsync(idToken);

        var message = await ApiAssert.ErrorAsync(response, status, check);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(idToken.Contains('.', StringComparison.Ordinal) ? idToken.Split('.')[1] : idToken, body, StringComparison.Ordinal);
        Assert.DoesNotContain("larder_", message, StringComparison.Ordinal);
        Assert.Equal(tokensBefore, (await Server.App.Metadata.ListTokensAsync(CancellationToken.None)).Count);
    }

    [Fact]
    public async Task A_policy_with_a_glob_accepts_matching_branches_only()
    {
        var audience = NewName("aud");
        await Server.AddPolicyAsync(
            NewName("gh"), audience, "*", [new ClaimConditionDto("repository", "acme/app"), new ClaimConditionDto("ref", "refs/heads/release/*", "glob")],
            permissions: ["read"]);

        await Server.ExchangeOkAsync(Server.Issuer.Sign(audience, TestOidcIssuer.GitHubClaims(gitRef: "refs/heads/release/1.2")));
        using var refused = await Server.ExchangeAsync(Server.Issuer.Sign(audience, TestOidcIssuer.GitHubClaims(gitRef: "refs/heads/main")));
        await ApiAssert.ErrorAsync(refused, HttpStatusCode.Forbidden, "(claims)");
    }
}
