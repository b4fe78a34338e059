using System.Net;
using System.Net.Http.Json;
using System.Text;
using Larder.Contracts.Oidc;
using Larder.Contracts.Tokens;

namespace Larder.Server.Tests.Api.Oidc;

public sealed class OidcPolicyApiTests(OidcTestServerFixture fixture) : IClassFixture<OidcTestServerFixture>
{
    private OidcTestServer Server => fixture.Server;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Policies_are_listed_and_deleted_by_name()
    {
        var created = await Server.AddPolicyAsync("listed", "aud-listed", "team-*", lifetimeSeconds: 600);
        using var admin = Server.App.CreateClient(Server.App.AdminToken);

        var listed = await ApiAssert.OkAsync(await admin.GetAsync("api/v1/oidc/policies"), OidcJsonContext.Default.IReadOnlyListOidcPolicyDto);
        var policy = Assert.Single(listed, p => p.Name == "listed");
        Assert.Equal(created.Id, policy.Id);
        Assert.Equal(600, policy.LifetimeSeconds);
        Assert.Equal("exact", Assert.Single(policy.Conditions).Match);

        using var deleted = await admin.DeleteAsync("api/v1/oidc/policies/listed");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var refused = await Server.ExchangeAsync(Server.Issuer.Sign("aud-listed"));
        await ApiAssert.ErrorAsync(refused, HttpStatusCode.Unauthorized, "(issuer)");
    }

    public static TheoryData<string, string> InvalidPolicies => new()
    {
        { """{"name": "p", "issuer": "ftp://x", "audience": "a", "conditions": [{"claim": "sub", "value": "x"}], "grants": [{"cache": "*", "permissions": ["read"]}]}""", "issuer" },
        { """{"name": "p", "issuer": "https://x", "audience": "", "conditions": [{"claim": "sub", "value": "x"}], "grants": [{"cache": "*", "permissions": ["read"]}]}""", "audience" },
        { """{"name": "p", "issuer": "https://x", "audience": "a", "conditions": [], "grants": [{"cache": "*", "permissions": ["read"]}]}""", "at least one claim condition" },
        { """{"name": "p", "issuer": "https://x", "audience": "a", "conditions": [{"claim": "sub", "value": "*", "match": "glob"}], "grants": [{"cache": "*", "permissions": ["read"]}]}""", "matches every value" },
        { """{"name": "p", "issuer": "https://x", "audience": "a", "conditions": [{"claim": "sub", "value": "x", "match": "regex"}], "grants": [{"cache": "*", "permissions": ["read"]}]}""", "invalid match 'regex'" },
        { """{"name": "p", "issuer": "https://x", "audience": "a", "conditions": [{"claim": "sub", "value": "x"}], "grants": []}""", "at least one grant" },
        { """{"name": "p", "issuer": "https://x", "audience": "a", "conditions": [{"claim": "sub", "value": "x"}], "grants": [{"cache": "*", "permissions": ["read"]}], "lifetimeSeconds": 999999}""", "lifetimeSeconds" },
        { """{"name": "Bad Name", "issuer": "https://x", "audience": "a", "conditions": [{"claim": "sub", "value": "x"}], "grants": [{"cache": "*", "permissions": ["read"]}]}""", "policy name" },
    };

    [Theory]
    [MemberData(nameof(InvalidPolicies))]
    public async Task An_invalid_policy_is_refused_naming_the_problem(string json, string problem)
    {
        using var admin = Server.App.CreateClient(Server.App.AdminToken);
        using var response = await admin.PostAsync("api/v1/oidc/policies", Json(json));
        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, problem);
    }

    [Fact]
    public async Task Only_a_global_admin_manages_policies()
    {
        var (secret, _) = await Server.App.CreateTokenAsync(new GrantDto("team-*", ["admin"]));
        using var client = Server.App.CreateClient(secret);
        using var response = await client.GetAsync("api/v1/oidc/policies");
        await ApiAssert.ErrorAsync(response, HttpStatusCode.Forbidden, "list OIDC policies");
    }

    [Fact]
    public async Task Http_issuers_are_refused_unless_the_server_allows_them()
    {
        await using var app = await LarderApplication.StartAsync();
        using var admin = app.CreateClient(app.AdminToken);
        var request = new CreateOidcPolicyRequest(
            "plain", "http://issuer.example", "a", [new ClaimConditionDto("sub", "x")], [new GrantDto("*", ["read"])]);
        using var response = await admin.PostAsJsonAsync("api/v1/oidc/policies", request, OidcJsonContext.Default.CreateOidcPolicyRequest);
        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "Larder:Oidc:AllowHttpIssuers");
    }
}
