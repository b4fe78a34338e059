using System.Text.Json;
using Larder.Testing;
using Larder.Testing.Oidc;

namespace Larder.Cli.Tests.EndToEnd;

/// <summary>A real <c>larder serve</c> that trusts http issuers on loopback, and a real test OIDC issuer beside it.</summary>
public sealed class OidcLoginFixture : IAsyncLifetime
{
    public LarderFixture Larder { get; } = new(["--Larder:Oidc:AllowHttpIssuers=true"]);

    public TestOidcIssuer Issuer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Larder.InitializeAsync();
        Issuer = await TestOidcIssuer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Issuer.DisposeAsync();
        await Larder.DisposeAsync();
    }
}

/// <summary>
/// CI without long-lived secrets, end to end: an admin adds a trust policy with the real CLI; a "CI job" (its own
/// config file, GitHub Actions' environment variables pointing at the test issuer) logs in with <c>--oidc</c> and
/// pushes a closure built by the real Nix with the real <c>larder push</c>.
/// </summary>
public sealed class OidcLoginTests(OidcLoginFixture fixture) : IClassFixture<OidcLoginFixture>
{
    private LarderFixture Larder => fixture.Larder;

    private string JobConfig { get; } = Path.Combine(fixture.Larder.Root, $"job-{Guid.NewGuid():N}", "config.json");

    private Dictionary<string, string> GitHubActionsJob() => new()
    {
        ["LARDER_CONFIG"] = JobConfig,
        ["ACTIONS_ID_TOKEN_REQUEST_URL"] = fixture.Issuer.ActionsRequestUrl,
        ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = TestOidcIssuer.ActionsRequestToken,
    };

    private async Task<string> AddPolicyAsync(string cache)
    {
        var name = LarderFixture.NewCacheName("gh");
        (await Larder.RunAsync(
            "oidc", "policy", "add", name, "--issuer", fixture.Issuer.Issuer, "--claim", "repository=acme/app",
            "--claim-glob", "ref=refs/heads/*", "--cache", cache, "--permission", "read,write")).EnsureSuccess();
        return name;
    }

    [Fact]
    public async Task A_github_actions_job_logs_in_with_oidc_and_pushes_with_larder_push()
    {
        var cache = await Larder.CreateCacheAsync("oidc", isPublic: false);
        await AddPolicyAsync(cache);
        var output = await Larder.Nix.BuildChainAsync(3, Guid.NewGuid().ToString("N"));

        var login = await Larder.RunWithAsync(GitHubActionsJob(), null, "login", "ci", Larder.Server.BaseUrl, "--oidc");
        Assert.True(login.ExitCode == 0, login.Stderr);
        var push = await Larder.RunWithAsync(GitHubActionsJob(), null, "push", $"ci:{cache}", output);

        Assert.True(push.ExitCode == 0, push.Stderr);
        Assert.Contains("pushed 4 paths", push.Stdout, StringComparison.Ordinal);
        var events = await Larder.RunAsync("token", "events", "--json");
        events.EnsureSuccess();
        Assert.Contains("oidc-exchange", events.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_near_its_expiry_is_renewed_from_the_same_source_during_a_push()
    {
        var cache = await Larder.CreateCacheAsync("renew", isPublic: false);
        await AddPolicyAsync(cache);
        var output = await Larder.Nix.BuildChainAsync(2, Guid.NewGuid().ToString("N"));
        (await Larder.RunWithAsync(GitHubActionsJob(), null, "login", "ci", Larder.Server.BaseUrl, "--oidc")).EnsureSuccess();
        var firstToken = ReadJobEntry().GetProperty("token").GetString();
        RewriteJobExpiry(DateTimeOffset.UtcNow.AddMinutes(1));

        var push = await Larder.RunWithAsync(GitHubActionsJob(), null, "push", $"ci:{cache}", output);

        Assert.True(push.ExitCode == 0, push.Stderr);
        Assert.Contains("renewed the OIDC token for ci", push.Stderr, StringComparison.Ordinal);
        var renewed = ReadJobEntry();
        Assert.NotEqual(firstToken, renewed.GetProperty("token").GetString());
        Assert.True(renewed.GetProperty("tokenExpiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(50));
    }

    [Fact]
    public async Task A_refused_id_token_fails_the_login_naming_the_check()
    {
        var cache = await Larder.CreateCacheAsync("refused", isPublic: false);
        await AddPolicyAsync(cache);
        using var directory = new TempDirectory("larder-oidc-file");
        var file = Path.Combine(directory.Path, "id-token");
        File.WriteAllText(file, fixture.Issuer.WithBadSignature(Larder.Server.BaseUrl));

        var login = await Larder.RunWithAsync(
            new Dictionary<string, string> { ["LARDER_CONFIG"] = JobConfig }, null, "login", "ci", Larder.Server.BaseUrl, "--oidc", "--oidc-token-file", file);

        Assert.NotEqual(0, login.ExitCode);
        Assert.Contains("(signature)", login.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(JobConfig));
    }

    private JsonElement ReadJobEntry()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(JobConfig));
        return json.RootElement.GetProperty("servers").GetProperty("ci").Clone();
    }

    private void RewriteJobExpiry(DateTimeOffset expiresAt)
    {
        var text = File.ReadAllText(JobConfig);
        var current = ReadJobEntry().GetProperty("tokenExpiresAt").GetRawText();
        File.WriteAllText(JobConfig, text.Replace(current, JsonSerializer.Serialize(expiresAt), StringComparison.Ordinal));
    }
}
