using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Larder.Contracts;
using Larder.Contracts.Tokens;
using Larder.Server.Access;
using Larder.Server.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Larder.Server.Tests.Api;

public sealed class TokenApiTests(LarderApplicationFixture fixture) : IClassFixture<LarderApplicationFixture>
{
    private LarderApplication App => fixture.App;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Create_shows_the_secret_once_and_stores_only_its_hash()
    {
        using var admin = App.CreateClient(App.AdminToken);
        using var response = await admin.PostAsync("api/v1/tokens", Json("""
            {"description": "ci", "grants": [{"cache": "team-*", "permissions": ["read", "write"]}], "expiresAt": "2999-01-01T00:00:00Z"}
            """));

        var created = await ApiAssert.OkAsync(response, LarderJsonContext.Default.CreatedTokenDto, HttpStatusCode.Created);
        Assert.StartsWith("larder_", created.Secret, StringComparison.Ordinal);
        Assert.Equal("ci", created.Token.Description);
        Assert.Equal([new GrantDto("team-*", ["read", "write"])], created.Token.Grants.Select(g => g with { Permissions = [.. g.Permissions] }).ToList(), new GrantComparer());
        Assert.Equal(new DateTimeOffset(2999, 1, 1, 0, 0, 0, TimeSpan.Zero), created.Token.ExpiresAt);

        var listing = await admin.GetStringAsync("api/v1/tokens");
        Assert.Contains("\"ci\"", listing, StringComparison.Ordinal);
        Assert.DoesNotContain(created.Secret, listing, StringComparison.Ordinal);
        Assert.DoesNotContain(TokenSecrets.Hash(created.Secret), listing, StringComparison.Ordinal);
        var stored = await App.Metadata.GetTokenBySecretHashAsync(TokenSecrets.Hash(created.Secret), CancellationToken.None);
        Assert.Equal(created.Token.Id, stored!.Id);
    }

    [Fact]
    public async Task WhoAmI_describes_the_calling_token()
    {
        var (secret, id) = await App.CreateTokenAsync(new GrantDto("x", ["read"]));
        using var client = App.CreateClient(secret);

        var who = await ApiAssert.OkAsync(await client.GetAsync("api/v1/whoami"), LarderJsonContext.Default.WhoAmIDto);

        Assert.Equal(id, who.Id);
        Assert.Equal("x", Assert.Single(who.Grants).Cache);
    }

    [Fact]
    public async Task The_token_also_works_as_the_HTTP_Basic_password_with_any_user()
    {
        var (secret, id) = await App.CreateTokenAsync(new GrantDto("x", ["read"]));
        using var client = App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"nix:{secret}")));

        var who = await ApiAssert.OkAsync(await client.GetAsync("api/v1/whoami"), LarderJsonContext.Default.WhoAmIDto);

        Assert.Equal(id, who.Id);
    }

    [Theory]
    [InlineData("Bearer larder_0000000000000000000000000000000000000000000000000000000000000000", "not valid")]
    [InlineData("Bearer ", "")]
    [InlineData("Basic bm9wYXNzd29yZA==", "no password")]
    [InlineData("Basic !!!", "not valid base64")]
    [InlineData("Token abc", "must be 'Bearer <token>'")]
    public async Task Bad_credentials_are_401_with_a_challenge(string header, string message)
    {
        using var client = App.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/whoami");
        request.Headers.TryAddWithoutValidation("Authorization", header);
        await ApiAssert.ErrorAsync(await client.SendAsync(request), HttpStatusCode.Unauthorized, message);
    }

    [Theory]
    [InlineData("""{"grants": [{"cache": "*", "permissions": ["read"]}]}""", "description is required")]
    [InlineData("""{"description": "  ", "grants": [{"cache": "*", "permissions": ["read"]}]}""", "description is required")]
    [InlineData("""{"description": "d"}""", "at least one grant")]
    [InlineData("""{"description": "d", "grants": []}""", "at least one grant")]
    [InlineData("""{"description": "d", "grants": [{"cache": "Team", "permissions": ["read"]}]}""", "invalid cache pattern 'Team'")]
    [InlineData("""{"description": "d", "grants": [{"cache": "a*b", "permissions": ["read"]}]}""", "invalid cache pattern 'a*b'")]
    [InlineData("""{"description": "d", "grants": [{"cache": "**", "permissions": ["read"]}]}""", "invalid cache pattern '**'")]
    [InlineData("""{"description": "d", "grants": [{"cache": "x", "permissions": []}]}""", "lists no permissions")]
    [InlineData("""{"description": "d", "grants": [{"cache": "x", "permissions": ["push"]}]}""", "unknown permission 'push'")]
    [InlineData("""{"description": "d", "grants": [{"cache": "x", "permissions": ["read"]}], "expiresAt": "2000-01-01T00:00:00Z"}""", "not in the future")]
    [InlineData("""{"description": "d", "grants": [{"cache": "x", "permissions": ["read"]}], "expiresAt": "next week"}""", "invalid JSON body")]
    [InlineData("""{"description": "d", "grants": "all"}""", "invalid JSON body")]
    public async Task Create_rejects_bad_input_with_400_naming_the_problem(string body, string message)
    {
        using var admin = App.CreateClient(App.AdminToken);
        await ApiAssert.ErrorAsync(await admin.PostAsync("api/v1/tokens", Json(body)), HttpStatusCode.BadRequest, message);
    }

    [Theory]
    [InlineData("team-a", "write")]
    [InlineData("*", "read")]
    [InlineData("team-*", "admin")]
    [InlineData("other", "read")]
    public async Task A_token_cannot_grant_what_it_does_not_hold(string cache, string permission)
    {
        var (secret, _) = await App.CreateTokenAsync(new GrantDto("team-*", ["read"]));
        using var client = App.CreateClient(secret);
        using var response = await client.PostAsync("api/v1/tokens", Json($$"""
            {"description": "more", "grants": [{"cache": "{{cache}}", "permissions": ["{{permission}}"]}]}
            """));
        await ApiAssert.ErrorAsync(response, HttpStatusCode.Forbidden, $"cannot grant {permission} on '{cache}'");
    }

    [Theory]
    [InlineData("team-a")]
    [InlineData("team-a*")]
    [InlineData("team-*")]
    public async Task A_token_can_grant_a_subset_of_what_it_holds(string cache)
    {
        var (secret, _) = await App.CreateTokenAsync(new GrantDto("team-*", ["read", "write"]));
        using var client = App.CreateClient(secret);
        using var response = await client.PostAsync("api/v1/tokens", Json($$"""
            {"description": "less", "grants": [{"cache": "{{cache}}", "permissions": ["read"]}]}
            """));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("", "it never expires")]
    [InlineData(", \"expiresAt\": \"2999-01-01T00:00:00Z\"", "it expires at 2999-01-01")]
    public async Task A_child_token_that_would_outlive_its_parent_is_reported_as_such_not_as_a_missing_permission(string expiry, string message)
    {
        var secret = TokenSecrets.Generate();
        await App.Metadata.CreateTokenAsync(new TokenRecord(0, "short", TokenSecrets.Hash(secret), [new TokenGrant("x", Permission.Read)],
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1), null), CancellationToken.None);
        using var client = App.CreateClient(secret);

        using var response = await client.PostAsync("api/v1/tokens", Json($$"""{"description": "child", "grants": [{"cache": "x", "permissions": ["read"]}]{{expiry}}}"""));

        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "the new token would outlive the calling token");
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("admin", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_child_token_expiring_with_its_parent_is_created()
    {
        // Whole seconds: the store keeps milliseconds.
        var expiry = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds());
        var secret = TokenSecrets.Generate();
        await App.Metadata.CreateTokenAsync(new TokenRecord(0, "short", TokenSecrets.Hash(secret), [new TokenGrant("x", Permission.Read)],
            DateTimeOffset.UtcNow, expiry, null), CancellationToken.None);
        using var client = App.CreateClient(secret);

        using var response = await client.PostAsync("api/v1/tokens", Json($$"""{"description": "child", "grants": [{"cache": "x", "permissions": ["read"]}], "expiresAt": "{{expiry:O}}"}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Revocation_takes_effect_on_the_next_request()
    {
        var (secret, id) = await App.CreateTokenAsync(new GrantDto("x", ["read"]));
        using var client = App.CreateClient(secret);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("api/v1/whoami")).StatusCode);
        using var admin = App.CreateClient(App.AdminToken);

        using var revoked = await admin.DeleteAsync($"api/v1/tokens/{id}");

        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        await ApiAssert.ErrorAsync(await client.GetAsync("api/v1/whoami"), HttpStatusCode.Unauthorized, "revoked");
    }

    [Fact]
    public async Task An_expired_token_is_refused()
    {
        var secret = TokenSecrets.Generate();
        await App.Metadata.CreateTokenAsync(new TokenRecord(0, "old", TokenSecrets.Hash(secret), [new TokenGrant("*", Permission.Read)],
            DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(-1), null), CancellationToken.None);
        using var client = App.CreateClient(secret);
        await ApiAssert.ErrorAsync(await client.GetAsync("api/v1/whoami"), HttpStatusCode.Unauthorized, "expired");
    }

    [Theory]
    [InlineData("abc", HttpStatusCode.BadRequest, "invalid token id 'abc'")]
    [InlineData("-4", HttpStatusCode.BadRequest, "invalid token id '-4'")]
    [InlineData("1.5", HttpStatusCode.BadRequest, "invalid token id '1.5'")]
    [InlineData("99999999999999999999", HttpStatusCode.BadRequest, "invalid token id '99999999999999999999'")]
    [InlineData("987654321", HttpStatusCode.NotFound, "no token with id 987654321")]
    public async Task Revoke_reports_bad_and_unknown_ids_naming_the_parameter_never_a_type(string id, HttpStatusCode status, string message)
    {
        using var admin = App.CreateClient(App.AdminToken);
        var error = await ApiAssert.ErrorAsync(await admin.DeleteAsync($"api/v1/tokens/{id}"), status, message);
        Assert.DoesNotContain("Int64", error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_global_admins_list_tokens_or_revoke_others_but_anyone_may_revoke_itself()
    {
        var (victim, victimId) = await App.CreateTokenAsync(new GrantDto("x", ["read"]));
        var (plain, plainId) = await App.CreateTokenAsync(new GrantDto("*", ["read", "write"]));
        using var client = App.CreateClient(plain);

        await ApiAssert.ErrorAsync(await client.GetAsync("api/v1/tokens"), HttpStatusCode.Forbidden, "admin on '*'");
        await ApiAssert.ErrorAsync(await client.DeleteAsync($"api/v1/tokens/{victimId}"), HttpStatusCode.Forbidden, "admin on '*'");
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"api/v1/tokens/{plainId}")).StatusCode);
        await ApiAssert.ErrorAsync(await client.GetAsync("api/v1/whoami"), HttpStatusCode.Unauthorized);
        using var victimClient = App.CreateClient(victim);
        Assert.Equal(HttpStatusCode.OK, (await victimClient.GetAsync("api/v1/whoami")).StatusCode);
    }

    [Fact]
    public async Task Revoking_a_token_revokes_the_tokens_it_created_and_the_list_shows_creator_and_last_use()
    {
        var (parent, parentId) = await App.CreateTokenAsync(new GrantDto("lineage", ["read", "write"]));
        using var parentClient = App.CreateClient(parent);
        var child = await ApiAssert.OkAsync(
            await parentClient.PostAsync("api/v1/tokens", Json("""{"description": "child", "grants": [{"cache": "lineage", "permissions": ["read"]}]}""")),
            LarderJsonContext.Default.CreatedTokenDto, HttpStatusCode.Created);
        using var childClient = App.CreateClient(child.Secret);
        Assert.Equal(HttpStatusCode.OK, (await childClient.GetAsync("api/v1/whoami")).StatusCode);
        await App.Services.GetRequiredService<TokenUseRecorder>().FlushAsync(CancellationToken.None);

        using var admin = App.CreateClient(App.AdminToken);
        var listed = await ApiAssert.OkAsync(await admin.GetAsync("api/v1/tokens"), LarderJsonContext.Default.IReadOnlyListTokenDto);
        var listedChild = Assert.Single(listed, t => t.Id == child.Token.Id);
        Assert.Equal(parentId, listedChild.CreatedBy);
        Assert.NotNull(listedChild.LastUsedAt);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"api/v1/tokens/{parentId}")).StatusCode);
        await ApiAssert.ErrorAsync(await childClient.GetAsync("api/v1/whoami"), HttpStatusCode.Unauthorized, "revoked");
    }

    [Fact]
    public async Task Revoking_the_last_global_admin_token_is_refused_with_the_reason()
    {
        await using var app = await LarderApplication.StartAsync();
        using var admin = app.CreateClient(app.AdminToken);
        var who = await ApiAssert.OkAsync(await admin.GetAsync("api/v1/whoami"), LarderJsonContext.Default.WhoAmIDto);

        await ApiAssert.ErrorAsync(await admin.DeleteAsync($"api/v1/tokens/{who.Id}"), HttpStatusCode.Conflict, "last unrevoked, unexpired token with admin on '*'");

        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("api/v1/whoami")).StatusCode);
    }

    [Fact]
    public async Task Token_endpoints_need_a_token()
    {
        using var client = App.CreateClient();
        await ApiAssert.ErrorAsync(await client.GetAsync("api/v1/whoami"), HttpStatusCode.Unauthorized);
        await ApiAssert.ErrorAsync(await client.GetAsync("api/v1/tokens"), HttpStatusCode.Unauthorized);
        await ApiAssert.ErrorAsync(await client.PostAsync("api/v1/tokens", Json("""{"description": "d", "grants": [{"cache": "x", "permissions": ["read"]}]}""")), HttpStatusCode.Unauthorized);
    }

    private sealed class GrantComparer : IEqualityComparer<GrantDto>
    {
        public bool Equals(GrantDto? x, GrantDto? y) => x?.Cache == y?.Cache && x!.Permissions.SequenceEqual(y!.Permissions);

        public int GetHashCode(GrantDto obj) => obj.Cache.GetHashCode(StringComparison.Ordinal);
    }
}
