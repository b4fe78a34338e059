using System.Net.Http.Json;
using Larder.Contracts.Oidc;
using Larder.Contracts.Tokens;
using Larder.Testing.Oidc;

namespace Larder.Server.Tests.Api.Oidc;

/// <summary>
/// A <see cref="LarderApplication"/> that trusts http issuers on loopback, with a <see cref="TestOidcIssuer"/> and helpers
/// to add trust policies and exchange ID tokens. Failed authentications get a large allowance unless a test asks otherwise.
/// </summary>
public sealed class OidcTestServer : IAsyncDisposable
{
    private OidcTestServer(LarderApplication app, TestOidcIssuer issuer)
    {
        App = app;
        Issuer = issuer;
    }

    public LarderApplication App { get; }

    public TestOidcIssuer Issuer { get; }

    public static async Task<OidcTestServer> StartAsync(params string[] args)
    {
        var issuer = await TestOidcIssuer.StartAsync();
        var app = await LarderApplication.StartAsync(args:
        [
            "--Larder:Oidc:AllowHttpIssuers=true", "--Larder:FailedAuthentication:Burst=10000", "--Larder:Oidc:KeyRefreshMinInterval=00:01:00",
            .. args,
        ]);
        return new OidcTestServer(app, issuer);
    }

    /// <summary>Creates a policy for this issuer as the admin (conditions default to repository = acme/app).</summary>
    public async Task<OidcPolicyDto> AddPolicyAsync(
        string name, string audience, string cache, ClaimConditionDto[]? conditions = null, int? lifetimeSeconds = null, string[]? permissions = null)
    {
        using var admin = App.CreateClient(App.AdminToken);
        var request = new CreateOidcPolicyRequest(
            name, Issuer.Issuer, audience, conditions ?? [new ClaimConditionDto("repository", "acme/app")],
            [new GrantDto(cache, permissions ?? ["read", "write"])], lifetimeSeconds);
        using var response = await admin.PostAsJsonAsync("api/v1/oidc/policies", request, OidcJsonContext.Default.CreateOidcPolicyRequest);
        return await ApiAssert.OkAsync(response, OidcJsonContext.Default.OidcPolicyDto, System.Net.HttpStatusCode.Created);
    }

    /// <summary>Posts <paramref name="idToken"/> to the exchange endpoint.</summary>
    public async Task<HttpResponseMessage> ExchangeAsync(string idToken)
    {
        using var client = App.CreateClient();
        return await client.PostAsJsonAsync("api/v1/oidc/token", new OidcTokenRequest(idToken), OidcJsonContext.Default.OidcTokenRequest);
    }

    /// <summary>Exchanges <paramref name="idToken"/>, asserting success.</summary>
    public async Task<OidcTokenDto> ExchangeOkAsync(string idToken)
    {
        using var response = await ExchangeAsync(idToken);
        return await ApiAssert.OkAsync(response, OidcJsonContext.Default.OidcTokenDto);
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Issuer.DisposeAsync();
    }
}

/// <summary>One <see cref="OidcTestServer"/> for a test class.</summary>
public sealed class OidcTestServerFixture : IAsyncLifetime
{
    private OidcTestServer? _server;

    public OidcTestServer Server => _server ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _server = await OidcTestServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
